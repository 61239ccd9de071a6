// A local development PKI laid out the way mkcert does it: one CA whose key never leaves
// tls/ca, a server certificate for this machine, and per-user client certificates in
// every format RPC clients ask for (PEM pair, single PEM, PKCS#12 for Postman).
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { hostname as osHostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { installTrustedCert } from '../tls/trust-dir.js';
import { FFDHE2048_PEM } from './dh-groups.js';
import { encryptPrivateKeyPem, generateKeyPair, privateKeyPem } from './keys.js';
import type { KeyType } from './keys.js';
import { buildPkcs12 } from './pkcs12.js';
import { FILE_MODE, writeNewFile } from './secret-file.js';
import { subjectHash } from './subject-hash.js';
import { issueCertificate } from './x509.js';
import type { CertificateIssuer } from './x509.js';

export const DEV_ORGANIZATION = 'nano-secure-rpc development';
export const DEFAULT_CLIENT_NAME = 'rpc.user.1';
const CA_DAYS = 3650;
// 825 days is the longest validity Apple platforms accept for TLS server certificates (as mkcert uses).
const SERVER_DAYS = 825;
const CLIENT_DAYS = 365;

export type PkiFileRole =
  | 'ca-cert'
  | 'ca-key'
  | 'server-cert'
  | 'server-key'
  | 'dh-params'
  | 'client-cert'
  | 'client-key'
  | 'client-pem'
  | 'client-p12'
  | 'client-p12-pass'
  | 'client-trust';

export interface PkiFile {
  role: PkiFileRole;
  path: string;
  /** false: it already existed and was kept as it was. */
  created: boolean;
}

export interface DevPkiPaths {
  caDir: string;
  caCertPath: string;
  caKeyPath: string;
  usersDir: string;
}

export interface ClientBundle {
  name: string;
  certPath: string;
  keyPath: string;
  pemPath: string;
  p12Path: string;
  p12PassPath: string;
  /** Entry in clientsDir, named <subject hash>.<n>. */
  trustedPath: string;
  subjectHash: string;
  fingerprint256: string;
  notAfter: Date;
  files: PkiFile[];
}

export interface DevPkiOptions {
  tlsDir: string;
  serverCertPath: string;
  serverKeyPath: string;
  /** Empty: the server key is written unencrypted. */
  serverKeyPassphrase: string;
  dhPath: string;
  clientsDir: string;
  keyType?: KeyType;
  /** Extra name for the server certificate; default os.hostname(). */
  hostname?: string;
}

export interface DevPkiResult {
  paths: DevPkiPaths;
  files: PkiFile[];
  /** Set when the first client was issued in this run. */
  client: ClientBundle | undefined;
  /** Things the operator should know, e.g. a kept server certificate not signed by this CA. */
  warnings: string[];
}

export interface IssueClientOptions {
  tlsDir: string;
  clientsDir: string;
  name: string;
  days?: number;
  keyType?: KeyType;
}

export class DevPkiError extends Error {
  override readonly name = 'DevPkiError';
}

export function devPkiPaths(tlsDir: string): DevPkiPaths {
  const caDir = join(tlsDir, 'ca');
  return { caDir, caCertPath: join(caDir, 'ca.cert.pem'), caKeyPath: join(caDir, 'ca.key.pem'), usersDir: join(tlsDir, 'users') };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Names end up in file names and in the certificate CN, so keep them to a safe, portable set. */
export function checkClientName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) || name.includes('..')) {
    throw new DevPkiError(`invalid client name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

function whoAmI(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid: keep the generic name.
  }
  return `${user}@${osHostname()}`;
}

async function loadCa(paths: DevPkiPaths): Promise<CertificateIssuer & { cert: X509Certificate }> {
  const [haveCert, haveKey] = await Promise.all([exists(paths.caCertPath), exists(paths.caKeyPath)]);
  if (!haveCert && !haveKey) {
    throw new DevPkiError(`no local CA in ${paths.caDir}: run "nano-rpc certs init" first`);
  }
  if (!haveCert || !haveKey) {
    throw new DevPkiError(
      `incomplete local CA in ${paths.caDir}: ${haveCert ? paths.caKeyPath : paths.caCertPath} is missing; restore it or remove ${paths.caDir} and run "nano-rpc certs init"`,
    );
  }
  const certPem = await readFile(paths.caCertPath, 'utf8');
  const cert = new X509Certificate(certPem);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(paths.caKeyPath, 'utf8'));
  } catch (err: unknown) {
    throw new DevPkiError(`cannot read the CA key ${paths.caKeyPath}: ${(err as Error).message}`, { cause: err });
  }
  if (!cert.checkPrivateKey(privateKey)) {
    throw new DevPkiError(`${paths.caKeyPath} is not the key of ${paths.caCertPath}`);
  }
  if (Date.parse(cert.validTo) <= Date.now()) {
    throw new DevPkiError(`the local CA ${paths.caCertPath} expired on ${cert.validTo}`);
  }
  return { certPem, privateKey, cert };
}

function requireCreated(file: PkiFile, what: string): void {
  // The existence check passed a moment ago; someone else is writing the same PKI.
  if (!file.created) throw new DevPkiError(`${file.path} appeared while creating the ${what}; run the command again`);
}

async function ensureCa(paths: DevPkiPaths, keyType: KeyType, files: PkiFile[]): Promise<CertificateIssuer> {
  const [haveCert, haveKey] = await Promise.all([exists(paths.caCertPath), exists(paths.caKeyPath)]);
  if (haveCert || haveKey) {
    const ca = await loadCa(paths);
    files.push({ role: 'ca-cert', path: paths.caCertPath, created: false }, { role: 'ca-key', path: paths.caKeyPath, created: false });
    return ca;
  }
  const keys = await generateKeyPair(keyType);
  const who = whoAmI();
  const certPem = issueCertificate({
    subject: [
      ['O', `${DEV_ORGANIZATION} CA`],
      ['OU', who],
      ['CN', `nano-secure-rpc ${who}`],
    ],
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    issuer: 'self',
    isCA: true,
    days: CA_DAYS,
  });
  const key = await writeNewFile(paths.caKeyPath, privateKeyPem(keys.privateKey), FILE_MODE.caKey);
  const keyFile: PkiFile = { role: 'ca-key', ...key };
  requireCreated(keyFile, 'CA');
  const cert: PkiFile = { role: 'ca-cert', ...(await writeNewFile(paths.caCertPath, certPem, FILE_MODE.certificate)) };
  requireCreated(cert, 'CA');
  files.push(cert, keyFile);
  return { certPem, privateKey: keys.privateKey };
}

function serverNames(extra: string | undefined): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const host = extra ?? osHostname();
  // A hostname that is not a valid DNS name (rare, but containers allow it) is left out rather than failing init.
  if (host && /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host) && !names.includes(host)) {
    names.push(host);
  }
  return names;
}

async function loadExistingServerKey(path: string, passphrase: string): Promise<KeyObject> {
  const pem = await readFile(path, 'utf8');
  try {
    return passphrase === '' ? createPrivateKey(pem) : createPrivateKey({ key: pem, passphrase });
  } catch (err: unknown) {
    throw new DevPkiError(`the existing server key ${path} cannot be opened with the configured passphrase (${(err as Error).message}); it was kept`, {
      cause: err,
    });
  }
}

async function ensureServer(opts: DevPkiOptions, ca: CertificateIssuer, keyType: KeyType, files: PkiFile[], warnings: string[]): Promise<void> {
  const [haveCert, haveKey] = await Promise.all([exists(opts.serverCertPath), exists(opts.serverKeyPath)]);
  if (haveCert) {
    files.push({ role: 'server-cert', path: opts.serverCertPath, created: false });
    if (haveKey) files.push({ role: 'server-key', path: opts.serverKeyPath, created: false });
    else warnings.push(`${opts.serverCertPath} exists but its key ${opts.serverKeyPath} does not; the server cannot start until it is restored`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(await readFile(opts.serverCertPath));
    } catch (err: unknown) {
      warnings.push(`${opts.serverCertPath} was kept but is not a readable certificate (${(err as Error).message})`);
      return;
    }
    const caCert = new X509Certificate(ca.certPem);
    if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) {
      warnings.push(`${opts.serverCertPath} was kept and is not signed by the local CA; clients trusting only the local CA will reject it`);
    }
    return;
  }

  // A key without a certificate: certify that key rather than replacing it.
  let publicKey: KeyObject;
  if (haveKey) {
    const privateKey = await loadExistingServerKey(opts.serverKeyPath, opts.serverKeyPassphrase);
    publicKey = createPublicKey(privateKey);
    files.push({ role: 'server-key', path: opts.serverKeyPath, created: false });
  } else {
    const keys = await generateKeyPair(keyType);
    publicKey = keys.publicKey;
    const keyPem = opts.serverKeyPassphrase === '' ? privateKeyPem(keys.privateKey) : encryptPrivateKeyPem(keys.privateKey, opts.serverKeyPassphrase);
    const key: PkiFile = { role: 'server-key', ...(await writeNewFile(opts.serverKeyPath, keyPem, FILE_MODE.privateKey)) };
    requireCreated(key, 'server key');
    files.push(key);
  }
  const names = serverNames(opts.hostname);
  const certPem = issueCertificate({
    subject: [
      ['O', DEV_ORGANIZATION],
      ['CN', names[names.length - 1] as string],
    ],
    publicKey,
    issuer: ca,
    purposes: ['server'],
    subjectAltNames: names,
    days: SERVER_DAYS,
  });
  files.push({ role: 'server-cert', ...(await writeNewFile(opts.serverCertPath, certPem, FILE_MODE.certificate)) });
}

/** Creates whatever part of the development PKI is missing; never overwrites an existing file. */
export async function initDevPki(opts: DevPkiOptions): Promise<DevPkiResult> {
  const keyType = opts.keyType ?? 'ec-p256';
  const paths = devPkiPaths(opts.tlsDir);
  const files: PkiFile[] = [];
  const warnings: string[] = [];
  const ca = await ensureCa(paths, keyType, files);
  await ensureServer(opts, ca, keyType, files, warnings);
  files.push({ role: 'dh-params', ...(await writeNewFile(opts.dhPath, FFDHE2048_PEM, FILE_MODE.certificate)) });

  let client: ClientBundle | undefined;
  const firstClientCert = join(paths.usersDir, `${DEFAULT_CLIENT_NAME}.cert.pem`);
  if (await exists(firstClientCert)) {
    // Not re-installed into clientsDir: the operator may have revoked it on purpose.
    files.push({ role: 'client-cert', path: firstClientCert, created: false });
  } else {
    client = await issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: DEFAULT_CLIENT_NAME, keyType });
    files.push(...client.files);
  }
  return { paths, files, client, warnings };
}

function clientFilePaths(usersDir: string, name: string): Record<'cert' | 'key' | 'pem' | 'p12' | 'p12pass', string> {
  const base = join(usersDir, name);
  return { cert: `${base}.cert.pem`, key: `${base}.key.pem`, pem: `${base}.pem`, p12: `${base}.p12`, p12pass: `${base}.p12.pass` };
}

/** Issues a client certificate from the local CA, writes it in every client format and trusts it in clientsDir. */
export async function issueClient(opts: IssueClientOptions): Promise<ClientBundle> {
  checkClientName(opts.name);
  const days = opts.days ?? CLIENT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new DevPkiError(`--days must be a whole number from 1 to 3650, got ${days}`);
  const paths = devPkiPaths(opts.tlsDir);
  const ca = await loadCa(paths);
  const out = clientFilePaths(paths.usersDir, opts.name);
  const present = [];
  for (const p of Object.values(out)) if (await exists(p)) present.push(p);
  if (present.length > 0) {
    throw new DevPkiError(`client "${opts.name}" already exists (${present.join(', ')}); pick another name or remove those files`);
  }

  const keys = await generateKeyPair(opts.keyType ?? 'ec-p256');
  const certPem = issueCertificate({
    subject: [
      ['O', DEV_ORGANIZATION],
      ['CN', opts.name],
    ],
    publicKey: keys.publicKey,
    issuer: ca,
    purposes: ['client'],
    days: Math.min(days, daysLeft(ca.cert)),
  });
  const keyPem = privateKeyPem(keys.privateKey);
  const p12Passphrase = randomBytes(18).toString('base64url');
  const p12 = buildPkcs12({ certPem, keyPem, caPems: [ca.certPem], passphrase: p12Passphrase, friendlyName: opts.name });

  const files: PkiFile[] = [];
  const write = async (role: PkiFileRole, path: string, data: string | Uint8Array, mode: number): Promise<void> => {
    const file: PkiFile = { role, ...(await writeNewFile(path, data, mode)) };
    requireCreated(file, `client "${opts.name}"`);
    files.push(file);
  };
  // Key first: if anything below fails, no certificate exists without its key.
  await write('client-key', out.key, keyPem, FILE_MODE.privateKey);
  await write('client-cert', out.cert, certPem, FILE_MODE.certificate);
  await write('client-pem', out.pem, certPem + keyPem, FILE_MODE.privateKey);
  await write('client-p12-pass', out.p12pass, p12Passphrase + '\n', FILE_MODE.privateKey);
  await write('client-p12', out.p12, p12, FILE_MODE.privateKey);

  await mkdir(opts.clientsDir, { recursive: true, mode: 0o755 });
  const installed = await installTrustedCert(opts.clientsDir, certPem);
  const trustedPath = join(opts.clientsDir, installed.file);
  files.push({ role: 'client-trust', path: trustedPath, created: installed.created });

  const cert = new X509Certificate(certPem);
  return {
    name: opts.name,
    certPath: out.cert,
    keyPath: out.key,
    pemPath: out.pem,
    p12Path: out.p12,
    p12PassPath: out.p12pass,
    trustedPath,
    subjectHash: subjectHash(cert.raw),
    fingerprint256: cert.fingerprint256,
    notAfter: new Date(cert.validTo),
    files,
  };
}

/** A client certificate never outlives the CA that vouches for it. */
function daysLeft(ca: X509Certificate): number {
  return Math.max(1, Math.floor((Date.parse(ca.validTo) - Date.now()) / 86_400_000));
}
