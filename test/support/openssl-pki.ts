import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './clients.js';
import type { Identity } from './pki.js';

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  const result = await run('openssl', args, { cwd });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

async function identity(folder: string, name: string): Promise<Identity> {
  const certPem = await readFile(join(folder, `${name}.cert.pem`), 'utf8');
  const keyPem = await readFile(join(folder, `${name}.key.pem`), 'utf8');
  return { certPem, keyPem, cert: new X509Certificate(certPem), privateKey: createPrivateKey(keyPem) };
}

/**
 * A root → intermediate → client-leaf chain made by the openssl CLI alone (interop: nothing of
 * ours touches these bytes). Files land in `folder`.
 */
export async function opensslClientChain(folder: string, leafName: string): Promise<{ root: Identity; intermediate: Identity; leaf: Identity }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await writeFile(join(folder, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  await writeFile(join(folder, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await openssl(['req', '-x509', ...ec, '-keyout', 'root.key.pem', '-out', 'root.cert.pem', '-days', '2', '-subj', '/O=openssl test/CN=openssl root'], folder);
  await openssl(['req', ...ec, '-keyout', 'inter.key.pem', '-out', 'inter.csr', '-subj', '/O=openssl test/CN=openssl intermediate'], folder);
  await openssl(
    ['x509', '-req', '-in', 'inter.csr', '-CA', 'root.cert.pem', '-CAkey', 'root.key.pem', '-out', 'inter.cert.pem', '-days', '2', '-extfile', 'ca.ext'],
    folder,
  );
  await openssl(['req', ...ec, '-keyout', 'leaf.key.pem', '-out', 'leaf.csr', '-subj', `/CN=${leafName}`], folder);
  await openssl(
    ['x509', '-req', '-in', 'leaf.csr', '-CA', 'inter.cert.pem', '-CAkey', 'inter.key.pem', '-out', 'leaf.cert.pem', '-days', '2', '-extfile', 'leaf.ext'],
    folder,
  );
  return { root: await identity(folder, 'root'), intermediate: await identity(folder, 'inter'), leaf: await identity(folder, 'leaf') };
}
