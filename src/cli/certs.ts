// `nano-rpc certs ...`: the development PKI and the hashed client-certificate directory.
import { X509Certificate } from 'node:crypto';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { configPathFrom, loadConfig } from '../config/load.js';
import { ruleLabeller } from './policy.js';
import { initDevPki, issueClient } from '../pki/dev-pki.js';
import type { ClientBundle, PkiFile, PkiFileRole } from '../pki/dev-pki.js';
import { isKeyType } from '../pki/keys.js';
import type { KeyType } from '../pki/keys.js';
import { certificatesFromPem, subjectHash, subjectHashOld } from '../pki/subject-hash.js';
import { describeIdentity } from '../identity/client-identity.js';
import { rehashDir, revokeFromTrustDir, scanTrustDir } from '../tls/trust-dir.js';
import { suggest } from '../config/suggest.js';
import { parseCommand, stringFlag, UsageError } from './args.js';
import type { ParsedArgs } from './args.js';

export interface CertsIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Locations and passphrase from config-rpc.toml, when there is one (see certsDefaultsFromConfig). */
  defaults?: CertsDefaults;
  /** Where the server key passphrase is read from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export const PASSPHRASE_ENV = 'NANO_RPC_SERVER_KEY_PASSPHRASE';

export const CERTS_USAGE = `usage: nano-rpc certs <subcommand> [options]
  init                     create what is missing of the development PKI (never overwrites)
      [--server-cert FILE] [--server-key FILE] [--dh FILE] [--key-type ec-p256|rsa-2048] [--hostname NAME]
      the server key is encrypted with $${PASSPHRASE_ENV}, else the config's server_key_passphrase (plain if both are empty)
  client NAME [--days N]   issue a client certificate from the local CA and trust it
  list                     trusted client certificates, and files the server ignores
  revoke NAME|FINGERPRINT|FILE
                           remove a client certificate from the trusted directory
  hash [--old] FILE...     print the OpenSSL subject hash of every certificate in FILEs
  rehash DIR               add <hash>.<n> links for certificates in DIR (like openssl rehash)
  help                     this text; every subcommand takes --help
common options: --tls-dir DIR (default tls), --clients-dir DIR (default <tls-dir>/clients);
  without them, locations (and the key passphrase) come from config-rpc.toml when it exists
  (--config PATH, else $NANO_RPC_CONFIG, else ./config-rpc.toml)
examples:
  nano-rpc certs init
  nano-rpc certs client alice --days 90
  nano-rpc certs list
  nano-rpc certs revoke alice`;

const COMMON_HELP = `  --config PATH, --tls-dir DIR, --clients-dir DIR: where the files are (default: as config-rpc.toml says, else tls/)`;

/** `nano-rpc certs SUB --help`. */
const SUB_USAGE: Record<string, string> = {
  init: `usage: nano-rpc certs init [--server-cert FILE] [--server-key FILE] [--dh FILE] [--key-type ec-p256|rsa-2048] [--hostname NAME]
  Creates what is missing of the development PKI (local CA, server certificate and key, DH parameters,
  a first client certificate); never overwrites. The server key is encrypted with $${PASSPHRASE_ENV},
  else the config's server_key_passphrase.
${COMMON_HELP}
examples:
  nano-rpc certs init
  nano-rpc certs init --key-type rsa-2048 --hostname rpc.example.lan`,
  client: `usage: nano-rpc certs client NAME [--days N] [--key-type ec-p256|rsa-2048]
  Issues a client certificate NAME from the local CA and trusts it (the server picks it up at once).
${COMMON_HELP}
examples:
  nano-rpc certs client alice
  nano-rpc certs client wallet-backend --days 30`,
  list: `usage: nano-rpc certs list
  Lists the trusted client certificates, and files in the trust directory the server ignores.
${COMMON_HELP}
examples:
  nano-rpc certs list
  nano-rpc certs list --clients-dir /etc/nano-rpc/clients`,
  revoke: `usage: nano-rpc certs revoke NAME|FINGERPRINT|FILE
  Removes a client certificate from the trust directory; open connections using it are closed.
${COMMON_HELP}
examples:
  nano-rpc certs revoke alice
  nano-rpc certs revoke tls/users/alice.cert.pem`,
  hash: `usage: nano-rpc certs hash [--old] FILE...
  Prints the OpenSSL subject hash (--old: the MD5-based one) of every certificate in FILEs.
examples:
  nano-rpc certs hash tls/users/alice.cert.pem`,
  rehash: `usage: nano-rpc certs rehash DIR
  Adds <hash>.<n> links for the certificates in DIR, as openssl rehash does.
examples:
  nano-rpc certs rehash tls/clients`,
};

export type CertsDefaults = Partial<CertsPaths> & { passphrase?: string; policyFile?: string };

export interface CertsPaths {
  tlsDir: string;
  clientsDir: string;
  serverCertPath: string;
  serverKeyPath: string;
  dhPath: string;
}

/**
 * The single place where file locations are decided: command-line flags win over `defaults`
 * (meant for values from config-rpc.toml), which win over the built-in layout under the TLS dir.
 */
export function resolveCertsPaths(args: ParsedArgs, configDefaults: Partial<CertsPaths> = {}): CertsPaths {
  const tlsDirFlag = stringFlag(args, 'tls-dir');
  // --tls-dir names a whole tree: the config's locations are for the config's own tree.
  const defaults = tlsDirFlag === undefined ? configDefaults : {};
  const tlsDir = tlsDirFlag ?? defaults.tlsDir ?? 'tls';
  return {
    tlsDir,
    clientsDir: stringFlag(args, 'clients-dir') ?? defaults.clientsDir ?? join(tlsDir, 'clients'),
    serverCertPath: stringFlag(args, 'server-cert') ?? defaults.serverCertPath ?? join(tlsDir, 'server.cert.pem'),
    serverKeyPath: stringFlag(args, 'server-key') ?? defaults.serverKeyPath ?? join(tlsDir, 'server.key.pem'),
    dhPath: stringFlag(args, 'dh') ?? defaults.dhPath ?? join(tlsDir, 'dh2048.pem'),
  };
}

const COMMON_FLAGS = ['tls-dir', 'clients-dir', 'config'];
const FLAGS: Record<string, { flags: string[]; booleans?: string[]; positional: [number, number] }> = {
  init: { flags: [...COMMON_FLAGS, 'server-cert', 'server-key', 'dh', 'key-type', 'hostname'], positional: [0, 0] },
  client: { flags: [...COMMON_FLAGS, 'days', 'key-type'], positional: [1, 1] },
  list: { flags: COMMON_FLAGS, positional: [0, 0] },
  revoke: { flags: COMMON_FLAGS, positional: [1, 1] },
  hash: { flags: [], booleans: ['old'], positional: [1, Infinity] },
  rehash: { flags: [], positional: [1, 1] },
};

const SECRET_FLAGS = new Set(['passphrase', 'server-key-passphrase', 'password', 'pass']);

function parseFor(sub: string, argv: readonly string[]): ParsedArgs {
  const spec = FLAGS[sub];
  if (!spec) {
    const near = suggest(sub, Object.keys(FLAGS));
    throw new UsageError(`unknown certs subcommand "${sub}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  for (const word of argv) {
    const name = /^--([^=]+)/.exec(word)?.[1];
    if (name !== undefined && SECRET_FLAGS.has(name)) {
      throw new UsageError(`secrets are never taken from the command line: set ${PASSPHRASE_ENV} instead of --${name}`);
    }
  }
  return parseCommand(argv, { command: `certs ${sub}`, strings: spec.flags, booleans: spec.booleans ?? [], positional: spec.positional });
}

function keyTypeFlag(args: ParsedArgs): KeyType | undefined {
  const value = stringFlag(args, 'key-type');
  if (value === undefined) return undefined;
  if (!isKeyType(value)) throw new UsageError(`--key-type must be ec-p256 or rsa-2048, got ${value}`);
  return value;
}

const ROLE_LABEL: Record<PkiFileRole, string> = {
  'ca-cert': 'CA certificate',
  'ca-key': 'CA private key',
  'server-cert': 'server certificate',
  'server-key': 'server private key',
  'dh-params': 'DH parameters (ffdhe2048)',
  'client-cert': 'client certificate',
  'client-key': 'client private key',
  'client-pem': 'client cert+key (single PEM)',
  'client-p12': 'client PKCS#12 (Postman)',
  'client-p12-pass': 'PKCS#12 passphrase',
  'client-trust': 'trusted by the server as',
};

const SECRET_ROLES: ReadonlySet<PkiFileRole> = new Set(['ca-key', 'server-key', 'client-key', 'client-pem', 'client-p12', 'client-p12-pass']);

function day(date: Date | string): string {
  return new Date(date).toISOString().slice(0, 10);
}

async function describeCert(path: string): Promise<string> {
  const cert = new X509Certificate(await readFile(path));
  return `hash ${subjectHash(cert.raw)}, sha256 ${cert.fingerprint256}, expires ${day(cert.validTo)}`;
}

async function printFiles(files: PkiFile[], io: CertsIo): Promise<void> {
  for (const f of files) {
    let detail = '';
    if (f.role === 'ca-cert' || f.role === 'server-cert' || f.role === 'client-cert') {
      try {
        detail = ` (${await describeCert(f.path)})`;
      } catch {
        detail = ' (not a readable certificate)';
      }
    }
    if (SECRET_ROLES.has(f.role)) {
      try {
        detail = ` (mode 0${((await stat(f.path)).mode & 0o777).toString(8)})`;
      } catch {
        detail = ' (missing)';
      }
    }
    io.out(`${f.created ? 'created' : 'kept   '}  ${ROLE_LABEL[f.role]}: ${f.path}${detail}`);
  }
}

function printClientUse(client: ClientBundle, caCertPath: string, io: CertsIo): void {
  io.out(`client ${client.name}: hash ${client.subjectHash}, sha256 ${client.fingerprint256}, expires ${day(client.notAfter)}`);
  io.out('try it (7076 is the Nano RPC default port; use the one in config-rpc.toml):');
  io.out(`  curl --cacert ${caCertPath} --cert ${client.pemPath} -d '{"action":"version"}' https://localhost:7076/`);
  io.out(`  Postman: add ${client.p12Path} with the passphrase in ${client.p12PassPath}, or ${client.certPath} + ${client.keyPath}`);
}

async function runInit(args: ParsedArgs, io: CertsIo): Promise<number> {
  const paths = resolveCertsPaths(args, io.defaults);
  const passphrase = (io.env ?? process.env)[PASSPHRASE_ENV] ?? io.defaults?.passphrase ?? '';
  const keyType = keyTypeFlag(args);
  const hostname = stringFlag(args, 'hostname');
  const result = await initDevPki({
    ...paths,
    serverKeyPassphrase: passphrase,
    ...(keyType ? { keyType } : {}),
    ...(hostname ? { hostname } : {}),
  });
  await printFiles(result.files, io);
  const serverKeyCreated = result.files.some((f) => f.role === 'server-key' && f.created);
  if (serverKeyCreated && passphrase === '') {
    io.err(`warning: ${paths.serverKeyPath} is not encrypted; set ${PASSPHRASE_ENV} to encrypt new server keys`);
  }
  for (const w of result.warnings) io.err(`warning: ${w}`);
  if (result.client) printClientUse(result.client, result.paths.caCertPath, io);
  if (!result.files.some((f) => f.created)) io.out('nothing to do: every file already exists');
  return 0;
}

async function runClient(args: ParsedArgs, io: CertsIo): Promise<number> {
  const paths = resolveCertsPaths(args, io.defaults);
  const daysText = stringFlag(args, 'days');
  let days: number | undefined;
  if (daysText !== undefined) {
    if (!/^\d+$/.test(daysText)) throw new UsageError(`--days must be a whole number, got ${daysText}`);
    days = Number(daysText);
  }
  const keyType = keyTypeFlag(args);
  const client = await issueClient({
    tlsDir: paths.tlsDir,
    clientsDir: paths.clientsDir,
    name: args.positional[0] as string,
    ...(days !== undefined ? { days } : {}),
    ...(keyType ? { keyType } : {}),
  });
  await printFiles(client.files, io);
  printClientUse(client, join(paths.tlsDir, 'ca', 'ca.cert.pem'), io);
  return 0;
}

async function runList(args: ParsedArgs, io: CertsIo): Promise<number> {
  const { clientsDir } = resolveCertsPaths(args, io.defaults);
  const scan = await scanTrustDir(clientsDir);
  const now = Date.now();
  const ruleOf = await ruleLabeller(io.defaults?.policyFile);
  io.out(`trusted client certificates in ${clientsDir}: ${scan.trusted.length}`);
  for (const t of scan.trusted) {
    const expired = Date.parse(t.cert.validTo) <= now ? '  EXPIRED' : '';
    io.out(`  ${t.file}  ${describeIdentity(t.identity)}  notAfter ${day(t.cert.validTo)}${expired}${ruleOf(t.cert)}`);
  }
  if (scan.ignored.length > 0) {
    io.out(`ignored by the server: ${scan.ignored.length}`);
    for (const i of scan.ignored) {
      io.out(`  ${i.file}: ${i.reason}${i.expectedName ? ` (expected name ${i.expectedName})` : ''}`);
    }
  }
  return 0;
}

async function runRevoke(args: ParsedArgs, io: CertsIo): Promise<number> {
  const { clientsDir } = resolveCertsPaths(args, io.defaults);
  const { revoked, untrusted, removed, kept } = await revokeFromTrustDir(clientsDir, args.positional[0] as string);
  for (const identity of revoked) io.out(`revoked ${describeIdentity(identity)}`);
  for (const identity of untrusted) io.out(`was not trusted (a file left behind): ${describeIdentity(identity)}`);
  for (const name of removed) io.out(`removed ${join(clientsDir, name)}`);
  for (const file of kept) io.out(`kept    ${file.path} (${file.why})`);
  io.out(`kept    the client's own certificate and key files outside ${clientsDir}`);
  io.out(
    'nothing of it is left in the trust directory for "certs rehash" to link again; a running server stops trusting it at its next rescan (within a second)',
  );
  return 0;
}

async function runHash(args: ParsedArgs, io: CertsIo): Promise<number> {
  const hash = args.flags.get('old') === true ? subjectHashOld : subjectHash;
  let code = 0;
  for (const file of args.positional) {
    try {
      const ders = certificatesFromPem(await readFile(file));
      if (ders.length === 0) throw new Error('no certificate found');
      for (const der of ders) io.out(`${hash(der)}  ${file}`);
    } catch (err: unknown) {
      io.err(`error: ${file}: ${(err as Error).message}`);
      code = 1;
    }
  }
  return code;
}

async function runRehash(args: ParsedArgs, io: CertsIo): Promise<number> {
  const dir = args.positional[0] as string;
  const links = await rehashDir(dir);
  for (const l of links) io.out(`${join(dir, l.link)} -> ${l.target}`);
  if (links.length === 0) io.out(`nothing to link in ${dir}: every certificate already has a hashed name`);
  return 0;
}

const RUNNERS: Record<string, (args: ParsedArgs, io: CertsIo) => Promise<number>> = {
  init: runInit,
  client: runClient,
  list: runList,
  revoke: runRevoke,
  hash: runHash,
  rehash: runRehash,
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Runs one `certs` subcommand; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCertsCommand(argv: string[], io: CertsIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.err : io.out)(CERTS_USAGE);
    return sub === undefined ? 2 : 0;
  }
  try {
    const args = parseFor(sub, rest);
    if (args.flags.has('help')) {
      io.out(SUB_USAGE[sub] ?? CERTS_USAGE);
      return 0;
    }
    const runner = RUNNERS[sub];
    if (!runner) throw new UsageError(`unknown certs subcommand "${sub}"`);
    const defaults = io.defaults ?? (await certsDefaultsFromConfig(stringFlag(args, 'config'), io.env ?? process.env));
    return await runner(args, { ...io, defaults });
  } catch (err: unknown) {
    if (err instanceof UsageError) {
      io.err(`error: ${oneLine(err.message)} (see "nano-rpc certs ${FLAGS[sub] ? `${sub} ` : ''}--help")`);
      return 2;
    }
    io.err(`error: ${oneLine(err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
}

/**
 * The certificate locations a server started from the same config-rpc.toml would use, so
 * `certs client` installs where `serve` looks. No config file: the built-in layout.
 */
export async function certsDefaultsFromConfig(configFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<CertsDefaults> {
  const path = configPathFrom(configFlag, env);
  if (
    configFlag === undefined &&
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    return {};
  const config = await loadConfig(path, env);
  const { secure } = config;
  const tlsDir = join(config.dir, 'tls');
  return {
    tlsDir,
    ...(secure.clientCertsPath ? { clientsDir: secure.clientCertsPath } : {}),
    ...(secure.serverCertPath ? { serverCertPath: secure.serverCertPath } : {}),
    ...(secure.serverKeyPath ? { serverKeyPath: secure.serverKeyPath } : {}),
    ...(secure.serverDhPath ? { dhPath: secure.serverDhPath } : {}),
    passphrase: secure.serverKeyPassphrase,
    ...(config.policyFile ? { policyFile: config.policyFile } : {}),
  };
}
