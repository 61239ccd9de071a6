import { createDiffieHellman, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ConfigError, describeFsError, displayName } from '../config/problems.js';
import type { RpcConfig } from '../config/types.js';
import { DH_PARAMETERS_LABELS, PRIVATE_KEY_LABELS, readPem } from '../pki/pem.js';

/** The server's certificate chain, decrypted key and DH parameters, checked and ready for tls options. */
export interface ServerMaterial {
  /** PEM certificates, leaf first then intermediates, in the order given. */
  cert: string;
  /** Decrypted, so the passphrase is not needed again (and not kept around). */
  key: KeyObject;
  dhparam?: string;
  dhBits?: number;
  leaf: X509Certificate;
  /** Number of certificates in `cert`, leaf included (1 = leaf only). */
  chainLength: number;
  warnings: string[];
}

type Secure = RpcConfig['secure'];

interface Loaded {
  text: string;
  source: string;
}

/**
 * Reads and checks the server's TLS material before anything listens, so a bad path, a wrong
 * passphrase or a mismatched key is one clear line instead of OpenSSL's "bad decrypt" thrown
 * from inside the HTTPS server constructor. Every check runs; all problems are thrown together.
 */
export async function loadServerMaterial(secure: Secure, configFile: string): Promise<ServerMaterial> {
  const name = displayName(configFile);
  const problems: string[] = [];
  const warnings: string[] = [];
  const problem = (key: string, text: string): void => {
    problems.push(`${name}: secure.${key}: ${text}`);
  };
  const warn = (key: string, text: string): void => {
    warnings.push(`${name}: secure.${key}: ${text}`);
  };

  const certIn = await loadItem('server_cert_path', secure.serverCertPem, secure.serverCertPath, 'NANO_RPC_SERVER_CERT', problem);
  const keyIn = await loadItem('server_key_path', secure.serverKeyPem, secure.serverKeyPath, 'NANO_RPC_SERVER_KEY', problem);

  let certs: X509Certificate[] = [];
  let certPem = '';
  if (certIn !== undefined) {
    const blocks = readPem(certIn.text, { labels: ['CERTIFICATE'] });
    if (blocks.length === 0) {
      problem('server_cert_path', `${certIn.source} is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)`);
    }
    blocks.forEach((block, i) => {
      try {
        if (block.problem !== undefined) throw new Error(block.problem);
        certs.push(new X509Certificate(block.der));
      } catch {
        problem('server_cert_path', `certificate #${i + 1} in ${certIn.source} cannot be parsed`);
      }
    });
    if (certs.length !== blocks.length) certs = [];
    certPem = blocks.map((b) => b.text.replace(/\r\n/g, '\n')).join('\n') + '\n';
    // OpenSSL sends the chain in file order; clients then fail with "unable to get local issuer".
    for (let i = 1; i < certs.length; i++) {
      if (!certs[i - 1]!.checkIssued(certs[i]!)) {
        problem(
          'server_cert_path',
          `certificate #${i + 1} in ${certIn.source} (${certs[i]!.subject.replace(/\n/g, ', ')}) did not issue certificate #${i}; put the leaf first, then each issuer in order`,
        );
      }
    }
  }
  const leaf = certs[0];

  if (leaf !== undefined && certIn !== undefined) {
    const now = Date.now();
    const subject = leaf.subject.replace(/\n/g, ', ');
    if (now > Date.parse(leaf.validTo)) {
      warn('server_cert_path', `the certificate in ${certIn.source} (${subject}) expired on ${new Date(leaf.validTo).toISOString()}`);
    } else if (now < Date.parse(leaf.validFrom)) {
      warn('server_cert_path', `the certificate in ${certIn.source} (${subject}) is not valid before ${new Date(leaf.validFrom).toISOString()}`);
    }
  }

  let key: KeyObject | undefined;
  if (keyIn !== undefined) {
    if (secure.serverKeyPem === undefined) await checkKeyMode(secure.serverKeyPath, warn);
    key = decryptKey(keyIn, secure.serverKeyPassphrase, problem);
  }

  if (key !== undefined && leaf !== undefined && certIn !== undefined && keyIn !== undefined) {
    const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
    const fromCert = leaf.publicKey.export({ type: 'spki', format: 'der' });
    if (!fromKey.equals(fromCert)) {
      problem('server_key_path', `the key in ${keyIn.source} does not match the certificate in ${certIn.source} (${leaf.subject.replace(/\n/g, ', ')})`);
    }
  }

  let dhparam: string | undefined;
  let dhBits: number | undefined;
  if (secure.serverDhPath !== '') {
    const dhIn = await loadItem('server_dh_path', undefined, secure.serverDhPath, undefined, problem);
    if (dhIn !== undefined) {
      const checked = checkDh(dhIn, problem);
      if (checked === undefined) {
        // reported
      } else if (platformAcceptsDh(checked.pem)) {
        ({ pem: dhparam, bits: dhBits } = checked);
        if (dhBits < 2048) warn('server_dh_path', `${dhBits}-bit DH parameters are weak; use 2048 or more (RFC 7919 ffdhe2048)`);
      } else if (checked.bits < 2048) {
        // Node 24's OpenSSL 3.5 (security level 2) refuses them; the file is well-formed, only too small.
        // DHE is a TLS 1.2 fallback: TLS 1.3 and ECDHE need no DH file, so the start goes on without it.
        warn(
          'server_dh_path',
          `this platform's OpenSSL refuses the ${checked.bits}-bit DH parameters in ${dhIn.source} as too weak; starting without them (TLS 1.3 and ECDHE are unaffected). Make 2048-bit ones with: scripts/make-dhparam.sh ${dhIn.source} (or openssl dhparam -out ${dhIn.source} 2048)`,
        );
      } else {
        problem('server_dh_path', `${dhIn.source}: OpenSSL refuses these ${checked.bits}-bit DH parameters (Error setting temp DH parameter)`);
      }
    }
  }

  if (problems.length > 0 || key === undefined || leaf === undefined) {
    throw new ConfigError(problems.length > 0 ? problems : [`${name}: secure: no server certificate or key`]);
  }
  return {
    cert: certPem,
    key,
    ...(dhparam === undefined ? {} : { dhparam, dhBits }),
    leaf,
    chainLength: certs.length,
    warnings,
  };
}

async function loadItem(
  key: string,
  pem: string | undefined,
  file: string,
  envName: string | undefined,
  problem: (key: string, text: string) => void,
): Promise<Loaded | undefined> {
  if (pem !== undefined && envName !== undefined) return { text: pem, source: `env ${envName}` };
  if (file === '') {
    problem(key, `not set${envName === undefined ? '' : ` (set it or ${envName})`}`);
    return undefined;
  }
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (err) {
    problem(key, `cannot read ${file}: ${describeFsError(err)}`);
    return undefined;
  }
}

async function checkKeyMode(file: string, warn: (key: string, text: string) => void): Promise<void> {
  // POSIX permission bits mean nothing on Windows.
  if (process.platform === 'win32') return;
  try {
    const { mode } = await stat(file);
    if ((mode & 0o004) !== 0) {
      warn('server_key_path', `${file} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); chmod 600`);
    }
  } catch {
    // Already read successfully; a stat race is not worth a second message.
  }
}

function decryptKey(keyIn: Loaded, passphrase: string, problem: (key: string, text: string) => void): KeyObject | undefined {
  const blocks = readPem(keyIn.text, { labels: PRIVATE_KEY_LABELS });
  const block = blocks.find((b) => b.problem === undefined) ?? blocks[0];
  if (block === undefined) {
    problem('server_key_path', `${keyIn.source} contains no PEM private key (-----BEGIN [RSA |EC ]PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)`);
    return undefined;
  }
  if (block.problem !== undefined) {
    problem('server_key_path', `the key in ${keyIn.source} cannot be parsed (its PEM block ${block.problem})`);
    return undefined;
  }
  const pem = block.text.replace(/\r\n/g, '\n');
  // PKCS#8 says so in its label; traditional OpenSSL PEM in a Proc-Type header.
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(block.headers);
  if (encrypted && passphrase === '') {
    problem('server_key_passphrase', `the key in ${keyIn.source} is encrypted; set server_key_passphrase (or NANO_RPC_SERVER_KEY_PASSPHRASE)`);
    return undefined;
  }
  try {
    return createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
  } catch (err) {
    // OpenSSL's text ("bad decrypt", decoder errors) says nothing useful; keep only the code.
    if (encrypted) {
      problem('server_key_passphrase', `wrong passphrase for the key in ${keyIn.source}`);
    } else {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unknown error';
      problem('server_key_path', `the key in ${keyIn.source} cannot be parsed (${code})`);
    }
    return undefined;
  }
}

function checkDh(dhIn: Loaded, problem: (key: string, text: string) => void): { pem: string; bits: number } | undefined {
  const block = readPem(dhIn.text, { labels: DH_PARAMETERS_LABELS })[0];
  const fail = (why: string): undefined => {
    problem('server_dh_path', `${dhIn.source} ${why}`);
    return undefined;
  };
  if (block === undefined) return fail('is not a PEM DH parameters file (no -----BEGIN DH PARAMETERS----- block)');
  const ints = block.problem === undefined ? derIntegers(block.der) : undefined;
  if (ints === undefined || ints.length < 2) return fail('has malformed DH parameters');
  const [p, g] = ints as [Buffer, Buffer];
  const bits = bitLength(p);
  try {
    const dh = createDiffieHellman(p, g);
    // DH_CHECK_P_NOT_PRIME = 0x01, DH_CHECK_P_NOT_SAFE_PRIME = 0x02 (openssl/dh.h).
    if ((dh.verifyError & 0x03) !== 0) return fail(`has a ${bits}-bit prime that is not a safe prime`);
  } catch {
    return fail('has DH parameters that OpenSSL rejects');
  }
  return { pem: block.text.replace(/\r\n/g, '\n') + '\n', bits };
}

/** Whether this Node/OpenSSL takes the parameters in a TLS context (its security level may refuse small groups). */
function platformAcceptsDh(pem: string): boolean {
  try {
    createSecureContext({ dhparam: pem });
    return true;
  } catch {
    return false;
  }
}

/** The INTEGERs of a top-level DER SEQUENCE (DHParameter: p, g[, privateValueLength]). */
function derIntegers(der: Buffer): Buffer[] | undefined {
  const readLength = (at: number): [len: number, next: number] | undefined => {
    const first = der[at];
    if (first === undefined) return undefined;
    if (first < 0x80) return [first, at + 1];
    const n = first & 0x7f;
    if (n === 0 || n > 4 || at + 1 + n > der.length) return undefined;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 1 + i]!;
    return [len, at + 1 + n];
  };
  if (der[0] !== 0x30) return undefined;
  const seq = readLength(1);
  if (seq === undefined) return undefined;
  const [seqLen, start] = seq;
  const end = start + seqLen;
  if (end > der.length) return undefined;
  const out: Buffer[] = [];
  let at = start;
  while (at < end) {
    if (der[at] !== 0x02) break;
    const l = readLength(at + 1);
    if (l === undefined || l[1] + l[0] > end) return undefined;
    out.push(der.subarray(l[1], l[1] + l[0]));
    at = l[1] + l[0];
  }
  return out;
}

function bitLength(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}
