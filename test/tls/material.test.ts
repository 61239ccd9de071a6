import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';
import type { RpcConfig } from '../../src/config/types.js';
import { loadServerMaterial } from '../../src/tls/material.js';

const run = promisify(execFile);
let dir: string;
let prevCwd: string;
const cfg = 'config-rpc.toml';
const f = (name: string): string => path.join(dir, name);
const openssl = async (...args: string[]): Promise<void> => {
  await run('openssl', args, { cwd: dir });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nano-rpc-tls-'));
  prevCwd = process.cwd();
  process.chdir(dir);
  const day = ['-days', '2'];
  await Promise.all([
    // PKCS#8 encrypted (BEGIN ENCRYPTED PRIVATE KEY)
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-keyout', 'p8.key', '-passout', 'pass:test', '-subj', '/CN=p8', ...day, '-out', 'p8.pem'),
    // Traditional encrypted RSA (BEGIN RSA PRIVATE KEY + Proc-Type: 4,ENCRYPTED)
    openssl('genrsa', '-traditional', '-aes256', '-passout', 'pass:test', '-out', 'trad.key', '2048').then(() =>
      openssl('req', '-x509', '-new', '-key', 'trad.key', '-passin', 'pass:test', '-subj', '/CN=trad', ...day, '-out', 'trad.pem'),
    ),
    // Traditional encrypted EC (BEGIN EC PRIVATE KEY + Proc-Type)
    openssl('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ec-plain.key')
      .then(() => openssl('ec', '-in', 'ec-plain.key', '-aes256', '-passout', 'pass:test', '-out', 'ec.key'))
      .then(() => openssl('req', '-x509', '-new', '-key', 'ec.key', '-passin', 'pass:test', '-subj', '/CN=ec', ...day, '-out', 'ec.pem')),
    // Unencrypted, for the mismatch case
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'plain.key', '-subj', '/CN=plain', ...day, '-out', 'plain.pem'),
    makeChain(),
    makeOddDates(),
    openssl('dhparam', '-out', 'dh1024.pem', '1024'),
    openssl('genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', 'dh2048.pem'),
  ]);
  for (const key of ['p8.key', 'trad.key', 'ec.key', 'plain.key', 'leaf.key', 'odd.key']) await chmod(f(key), 0o600);
}, 60_000);

afterAll(async () => {
  process.chdir(prevCwd);
  await rm(dir, { recursive: true, force: true });
});

async function makeChain(): Promise<void> {
  await writeFile(f('ca.ext'), 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  await writeFile(f('leaf.ext'), 'basicConstraints=CA:false\nsubjectAltName=DNS:localhost\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-subj', '/CN=root', '-days', '3', '-out', 'ca.pem');
  await openssl('req', ...ec, '-keyout', 'int.key', '-subj', '/CN=intermediate', '-out', 'int.csr');
  await openssl(
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '2',
    '-days',
    '3',
    '-extfile',
    'ca.ext',
    '-out',
    'int.pem',
  );
  await openssl('req', ...ec, '-keyout', 'leaf.key', '-subj', '/CN=leaf', '-out', 'leaf.csr');
  await openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'int.pem',
    '-CAkey',
    'int.key',
    '-set_serial',
    '3',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.pem',
  );
  const [leaf, int] = await Promise.all([readFile(f('leaf.pem'), 'utf8'), readFile(f('int.pem'), 'utf8')]);
  await writeFile(f('chain.pem'), leaf + int);
  await writeFile(f('reversed.pem'), int + leaf);
}

/** `openssl req -x509` cannot backdate; `openssl ca` takes explicit start and end dates. */
async function makeOddDates(): Promise<void> {
  await writeFile(
    f('ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nunique_subject=no\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n',
  );
  await writeFile(f('index.txt'), '');
  await writeFile(f('serial'), '01\n');
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'odd.key', '-subj', '/CN=odd', '-out', 'odd.csr');
  const sign = (out: string, start: string, end: string): Promise<void> =>
    openssl(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'odd.key',
      '-in',
      'odd.csr',
      '-notext',
      '-startdate',
      start,
      '-enddate',
      end,
      '-out',
      out,
    );
  await sign('expired.pem', '20000101000000Z', '20010101000000Z');
  await sign('future.pem', '20990101000000Z', '21000101000000Z');
}

function secure(over: Partial<RpcConfig['secure']>): RpcConfig['secure'] {
  return {
    enable: true,
    verboseLogging: false,
    serverCertPath: '',
    serverKeyPath: '',
    serverKeyPassphrase: '',
    serverDhPath: '',
    clientCertsPath: '',
    serverCertSource: '',
    serverKeySource: '',
    serverKeyPassphraseSource: '',
    ...over,
  };
}

async function problemsOf(s: RpcConfig['secure']): Promise<string[]> {
  try {
    await loadServerMaterial(s, f(cfg));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServerMaterial: keys', () => {
  it('decrypts a PKCS#8 encrypted key, loads 2048-bit DH params, and the result makes a TLS context', async () => {
    expect(await readFile(f('p8.key'), 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const m = await loadServerMaterial(
      secure({ serverCertPath: f('p8.pem'), serverKeyPath: f('p8.key'), serverKeyPassphrase: 'test', serverDhPath: f('dh2048.pem') }),
      f(cfg),
    );
    expect(m.key.type).toBe('private');
    expect(m.key.asymmetricKeyType).toBe('rsa');
    expect(m.leaf.subject).toBe('CN=p8');
    expect(m.chainLength).toBe(1);
    expect(m.dhBits).toBe(2048);
    expect(m.dhparam).toContain('-----BEGIN DH PARAMETERS-----');
    expect(m.warnings).toEqual([]);
    expect(() => createSecureContext({ cert: m.cert, key: m.key.export({ type: 'pkcs8', format: 'pem' }), dhparam: m.dhparam })).not.toThrow();
  });

  it.each([
    ['traditional RSA', 'trad', '-----BEGIN RSA PRIVATE KEY-----', 'rsa'],
    ['traditional EC', 'ec', '-----BEGIN EC PRIVATE KEY-----', 'ec'],
  ])('decrypts a %s key with Proc-Type: 4,ENCRYPTED', async (_label, base, header, type) => {
    const text = await readFile(f(`${base}.key`), 'utf8');
    expect(text).toContain(header);
    expect(text).toContain('Proc-Type: 4,ENCRYPTED');
    const m = await loadServerMaterial(secure({ serverCertPath: f(`${base}.pem`), serverKeyPath: f(`${base}.key`), serverKeyPassphrase: 'test' }), f(cfg));
    expect(m.key.asymmetricKeyType).toBe(type);
    expect(m.dhparam).toBeUndefined();
  });

  it.each(['p8', 'trad', 'ec'])('names a missing passphrase for the encrypted %s key', async (base) => {
    expect(await problemsOf(secure({ serverCertPath: f(`${base}.pem`), serverKeyPath: f(`${base}.key`) }))).toEqual([
      `${cfg}: secure.server_key_passphrase: the key in ${f(`${base}.key`)} is encrypted; set server_key_passphrase (or NANO_RPC_SERVER_KEY_PASSPHRASE)`,
    ]);
  });

  it.each(['p8', 'trad', 'ec'])('reports a wrong passphrase for the %s key without OpenSSL text or the passphrase', async (base) => {
    const problems = await problemsOf(secure({ serverCertPath: f(`${base}.pem`), serverKeyPath: f(`${base}.key`), serverKeyPassphrase: 'hunter2-wrong' }));
    expect(problems).toEqual([`${cfg}: secure.server_key_passphrase: wrong passphrase for the key in ${f(`${base}.key`)}`]);
    expect(problems.join('\n')).not.toMatch(/bad decrypt|hunter2/);
  });

  it('names the env variable as the source of a key given as PEM contents', async () => {
    const pem = await readFile(f('p8.key'), 'utf8');
    expect(await problemsOf(secure({ serverCertPath: f('p8.pem'), serverKeyPem: pem, serverKeyPassphrase: 'nope' }))).toEqual([
      `${cfg}: secure.server_key_passphrase: wrong passphrase for the key in env NANO_RPC_SERVER_KEY`,
    ]);
    const ok = await loadServerMaterial(secure({ serverCertPem: await readFile(f('p8.pem'), 'utf8'), serverKeyPem: pem, serverKeyPassphrase: 'test' }), f(cfg));
    expect(ok.leaf.subject).toBe('CN=p8');
  });

  it('reports a key that does not match the certificate', async () => {
    const problems = await problemsOf(secure({ serverCertPath: f('p8.pem'), serverKeyPath: f('plain.key') }));
    expect(problems).toEqual([`${cfg}: secure.server_key_path: the key in ${f('plain.key')} does not match the certificate in ${f('p8.pem')} (CN=p8)`]);
    expect(problems.join('')).not.toContain('PRIVATE KEY');
  });

  it('warns about a key file readable by other users', async () => {
    await writeFile(f('open.key'), await readFile(f('plain.key')));
    await chmod(f('open.key'), 0o644);
    const m = await loadServerMaterial(secure({ serverCertPath: f('plain.pem'), serverKeyPath: f('open.key') }), f(cfg));
    expect(m.warnings).toEqual([`${cfg}: secure.server_key_path: ${f('open.key')} is readable by other users (mode 0644); chmod 600`]);
  });

  it('reports a file that holds no private key', async () => {
    expect(await problemsOf(secure({ serverCertPath: f('plain.pem'), serverKeyPath: f('plain.pem') }))).toEqual([
      `${cfg}: secure.server_key_path: ${f('plain.pem')} contains no PEM private key (-----BEGIN [RSA |EC ]PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)`,
    ]);
  });
});

describe('loadServerMaterial: files and certificates', () => {
  it('reports every unreadable file at once', async () => {
    const problems = await problemsOf(secure({ serverCertPath: f('missing.pem'), serverKeyPath: f('missing.key'), serverDhPath: f('missing-dh.pem') }));
    expect(problems).toEqual([
      `${cfg}: secure.server_cert_path: cannot read ${f('missing.pem')}: ENOENT (no such file)`,
      `${cfg}: secure.server_key_path: cannot read ${f('missing.key')}: ENOENT (no such file)`,
      `${cfg}: secure.server_dh_path: cannot read ${f('missing-dh.pem')}: ENOENT (no such file)`,
    ]);
  });

  it('reports an empty path as not set', async () => {
    expect(await problemsOf(secure({ serverKeyPath: f('plain.key') }))).toEqual([`${cfg}: secure.server_cert_path: not set (set it or NANO_RPC_SERVER_CERT)`]);
  });

  it('reports a file that is not a PEM certificate', async () => {
    await writeFile(f('junk.pem'), 'hello\n');
    expect(await problemsOf(secure({ serverCertPath: f('junk.pem'), serverKeyPath: f('plain.key') }))).toEqual([
      `${cfg}: secure.server_cert_path: ${f('junk.pem')} is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)`,
    ]);
  });

  it('loads a chain file (leaf, then intermediate) and counts it', async () => {
    const m = await loadServerMaterial(secure({ serverCertPath: f('chain.pem'), serverKeyPath: f('leaf.key') }), f(cfg));
    expect(m.chainLength).toBe(2);
    expect(m.leaf.subject).toBe('CN=leaf');
    expect(m.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('rejects a chain in the wrong order', async () => {
    const problems = await problemsOf(secure({ serverCertPath: f('reversed.pem'), serverKeyPath: f('leaf.key') }));
    expect(problems[0]).toBe(
      `${cfg}: secure.server_cert_path: certificate #2 in ${f('reversed.pem')} (CN=leaf) did not issue certificate #1; put the leaf first, then each issuer in order`,
    );
  });

  it('warns about an expired and a not-yet-valid certificate', async () => {
    const expired = await loadServerMaterial(secure({ serverCertPath: f('expired.pem'), serverKeyPath: f('odd.key') }), f(cfg));
    expect(expired.warnings).toEqual([`${cfg}: secure.server_cert_path: the certificate in ${f('expired.pem')} (CN=odd) expired on 2001-01-01T00:00:00.000Z`]);
    const future = await loadServerMaterial(secure({ serverCertPath: f('future.pem'), serverKeyPath: f('odd.key') }), f(cfg));
    expect(future.warnings).toEqual([
      `${cfg}: secure.server_cert_path: the certificate in ${f('future.pem')} (CN=odd) is not valid before 2099-01-01T00:00:00.000Z`,
    ]);
  });
});

/** Whether this Node's OpenSSL takes the DH file in a TLS context (Node 24's security level 2 refuses 1024 bits). */
function platformTakes(file: string): boolean {
  try {
    createSecureContext({ dhparam: readFileSync(file) });
    return true;
  } catch {
    return false;
  }
}

describe('loadServerMaterial: DH parameters', () => {
  it('warns about 1024-bit DH parameters, and leaves them out where the platform refuses them (Node 24)', async () => {
    const m = await loadServerMaterial(secure({ serverCertPath: f('plain.pem'), serverKeyPath: f('plain.key'), serverDhPath: f('dh1024.pem') }), f(cfg));
    if (platformTakes(f('dh1024.pem'))) {
      expect(m.dhBits).toBe(1024);
      expect(m.warnings).toEqual([`${cfg}: secure.server_dh_path: 1024-bit DH parameters are weak; use 2048 or more (RFC 7919 ffdhe2048)`]);
    } else {
      expect(m.dhparam).toBeUndefined();
      expect(m.warnings).toEqual([
        `${cfg}: secure.server_dh_path: this platform's OpenSSL refuses the 1024-bit DH parameters in ${f('dh1024.pem')} as too weak; starting without them (TLS 1.3 and ECDHE are unaffected). Make 2048-bit ones with: scripts/make-dhparam.sh ${f('dh1024.pem')} (or openssl dhparam -out ${f('dh1024.pem')} 2048)`,
      ]);
    }
  });

  it('rejects a file without DH parameters, and corrupt parameters', async () => {
    await writeFile(f('corrupt-dh.pem'), '-----BEGIN DH PARAMETERS-----\nMAMCAQ==\n-----END DH PARAMETERS-----\n');
    expect(await problemsOf(secure({ serverCertPath: f('plain.pem'), serverKeyPath: f('plain.key'), serverDhPath: f('plain.pem') }))).toEqual([
      `${cfg}: secure.server_dh_path: ${f('plain.pem')} is not a PEM DH parameters file (no -----BEGIN DH PARAMETERS----- block)`,
    ]);
    expect(await problemsOf(secure({ serverCertPath: f('plain.pem'), serverKeyPath: f('plain.key'), serverDhPath: f('corrupt-dh.pem') }))).toEqual([
      `${cfg}: secure.server_dh_path: ${f('corrupt-dh.pem')} has malformed DH parameters`,
    ]);
  });
});
