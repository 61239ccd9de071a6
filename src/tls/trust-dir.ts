// A client-certificate directory read the way OpenSSL's hashed-directory
// lookup (-CApath, X509_LOOKUP_hash_dir) reads it, so that what we trust is
// what an operator who followed the Nano node's instructions expects, plus
// the operations they need: install, revoke and rehash.

import { X509Certificate, randomBytes } from 'node:crypto';
import { lstat, readFile, readdir, readlink, realpath, rename, stat, symlink, unlink, link, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { clientIdentityOf, type ClientIdentity } from '../identity/client-identity.js';
import { certificatesFromPem, subjectHash, subjectHashOld } from '../pki/subject-hash.js';

export interface TrustedCert {
  /** Entry name in the directory, e.g. '0fb8533c.0'. */
  file: string;
  path: string;
  cert: X509Certificate;
  pem: string;
  fingerprint256: string;
  subject: string;
  /** Who this certificate names, as every log line and command names a client. */
  identity: ClientIdentity;
  /** New-style (OpenSSL >= 1.0) subject hash. */
  hash: string;
}

export interface IgnoredEntry {
  file: string;
  reason: string;
  expectedName?: string;
  /** The certificate the entry holds, when it parsed: lets a refused handshake say "misnamed". */
  certificate?: X509Certificate;
}

export interface TrustDirScan {
  trusted: TrustedCert[];
  ignored: IgnoredEntry[];
}

const HASHED_NAME = /^([0-9a-f]{8})\.([0-9]+)$/;
// Certificate files are small; a huge file in the directory is not one of ours.
const MAX_FILE_BYTES = 1024 * 1024;
const HINT = 'forgot to subject-hash certificate filename?';

interface ParsedCert {
  der: Buffer;
  cert: X509Certificate;
  hash: string;
  hashOld: string | undefined;
}

type Loaded =
  | { kind: 'certs'; certs: ParsedCert[] }
  | { kind: 'der'; cert: ParsedCert }
  | { kind: 'dangling'; target: string }
  | { kind: 'unusable'; reason: string }
  | { kind: 'skip' };

interface Entry {
  name: string;
  path: string;
  hashed: { hash: string; n: number } | undefined;
  loaded: Loaded;
}

export async function scanTrustDir(dir: string): Promise<TrustDirScan> {
  const entries = await loadDir(dir);
  const names = new Set(entries.map((e) => e.name));
  const trusted = new Map<string, TrustedCert>();
  const ignored: IgnoredEntry[] = [];
  // Certificates that are not trusted where they sit; reported only if no other entry trusts them.
  const pending: Array<{ file: string; certificate: X509Certificate; reason: string; expectedName: string }> = [];

  const reachable = reachableHashedEntries(entries);
  for (const e of entries) {
    const { loaded } = e;
    if (loaded.kind === 'der') {
      const c = loaded.cert;
      pending.push({
        file: e.name,
        certificate: c.cert,
        reason: `certificate "${c.cert.subject.replaceAll('\n', ', ')}" is not trusted: the file is DER, and a hashed directory is read as PEM`,
        expectedName: freeName(names, c.hash),
      });
      continue;
    }
    if (e.hashed === undefined) {
      if (loaded.kind !== 'certs') continue;
      for (const c of loaded.certs) {
        pending.push({
          file: e.name,
          certificate: c.cert,
          reason: `certificate "${c.cert.subject.replaceAll('\n', ', ')}" is not trusted: its file name is not its subject hash (${HINT})`,
          expectedName: freeName(names, c.hash),
        });
      }
      continue;
    }
    if (loaded.kind === 'dangling') {
      ignored.push({ file: e.name, reason: `dangling symlink to ${loaded.target}` });
      continue;
    }
    if (loaded.kind === 'unusable' || loaded.kind === 'skip') {
      ignored.push({ file: e.name, reason: loaded.kind === 'unusable' ? loaded.reason : 'not a certificate file' });
      continue;
    }
    const gap = reachable.get(e.name);
    if (gap !== undefined) {
      ignored.push({
        file: e.name,
        reason: `not reachable: OpenSSL looks up ${e.hashed.hash}.0, .1, ... and stops at ${gap}, which is missing or unreadable`,
        expectedName: gap,
      });
      continue;
    }
    for (const c of loaded.certs) {
      const fp = c.cert.fingerprint256;
      if (c.hash !== e.hashed.hash && c.hashOld !== e.hashed.hash) {
        pending.push({
          file: e.name,
          certificate: c.cert,
          reason: `certificate "${c.cert.subject.replaceAll('\n', ', ')}" has subject hash ${c.hash}, not ${e.hashed.hash} (${HINT})`,
          expectedName: freeName(names, c.hash),
        });
        continue;
      }
      const seen = trusted.get(fp);
      // Prefer the new-style name when the same certificate is linked under both hashes.
      if (seen !== undefined && (seen.file.startsWith(seen.hash) || !e.name.startsWith(c.hash))) continue;
      trusted.set(fp, toTrusted(e, c));
    }
  }

  const reported = new Set<string>();
  for (const p of pending) {
    const fingerprint = p.certificate.fingerprint256;
    const key = `${p.file}\0${fingerprint}`;
    if (trusted.has(fingerprint) || reported.has(key)) continue;
    reported.add(key);
    ignored.push({ file: p.file, reason: p.reason, expectedName: p.expectedName, certificate: p.certificate });
  }
  return {
    trusted: [...trusted.values()].sort((a, b) => a.file.localeCompare(b.file)),
    ignored: ignored.sort((a, b) => a.file.localeCompare(b.file)),
  };
}

export async function installTrustedCert(dir: string, certPem: string): Promise<{ file: string; created: boolean }> {
  const ders = certificatesFromPem(certPem);
  if (ders.length !== 1) throw new Error(`expected exactly one PEM certificate, found ${ders.length}`);
  const cert = new X509Certificate(ders[0]!);
  const already = (await scanTrustDir(dir)).trusted.find((t) => t.fingerprint256 === cert.fingerprint256);
  if (already !== undefined) return { file: already.file, created: false };

  const hash = subjectHash(ders[0]!);
  // Write under a temporary name, then hard-link into place: link() never
  // replaces an existing name, so a concurrent writer or a dangling symlink
  // at <hash>.n just moves us on to the next number.
  const tmp = path.join(dir, `.install-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, cert.toString(), { flag: 'wx', mode: 0o644 });
  try {
    for (let n = 0; ; n++) {
      const file = `${hash}.${n}`;
      try {
        await link(tmp, path.join(dir, file));
        return { file, created: true };
      } catch (err) {
        if (!isCode(err, 'EEXIST')) throw err;
      }
    }
  } finally {
    await unlink(tmp);
  }
}

export interface Revocation {
  /** The certificates no longer trusted. */
  readonly revoked: readonly ClientIdentity[];
  /** Matched certificates that were in the directory but not trusted (files left behind); their files are removed too. */
  readonly untrusted: readonly ClientIdentity[];
  /** Entries deleted from the directory: hashed names, and the in-directory files they pointed at or copied. */
  readonly removed: readonly string[];
  /** Files that still hold a revoked certificate, and why they were left. */
  readonly kept: ReadonlyArray<{ readonly path: string; readonly why: string }>;
}

/**
 * Revokes for good: removes every hashed name of the certificate AND every file in the directory
 * that holds only that certificate (a symlink's target, a copy), so nothing left behind can be
 * linked again by `rehash` or look "misnamed". Files outside the directory (the client's own
 * copy under users/) are kept and reported.
 */
export async function revokeFromTrustDir(dir: string, selector: string): Promise<Revocation> {
  const scan = await scanTrustDir(dir);
  const entries = await loadDir(dir);
  const matched = new Set(matchSelector(dir, scan.trusted, entries, selector));
  // Nothing trusted matches: a file left behind (a link deleted by hand) can still be cleaned up.
  const leftovers = matched.size === 0 ? matchLeftovers(dir, scan.ignored, selector) : [];
  for (const certificate of leftovers) matched.add(certificate.fingerprint256);
  if (matched.size === 0) throw new Error(`no certificate in ${dir} matches "${selector}"`);

  const holds = (e: Entry): string[] =>
    e.loaded.kind === 'certs' ? e.loaded.certs.map((c) => c.cert.fingerprint256) : e.loaded.kind === 'der' ? [e.loaded.cert.cert.fingerprint256] : [];
  const doomed: Entry[] = [];
  const kept: Array<{ path: string; why: string }> = [];
  for (const e of entries) {
    if (e.hashed === undefined || e.loaded.kind !== 'certs') continue;
    const fps = holds(e);
    if (!fps.some((fp) => matched.has(fp))) continue;
    if (!fps.every((fp) => matched.has(fp))) {
      // Removing the name would silently untrust the other certificates in it.
      throw new Error(`${e.name} in ${dir} also holds other certificates; split it into one certificate per file first`);
    }
    doomed.push(e);
  }
  // Where the links point, so a target inside the directory goes too and one outside is named as kept.
  const realDir = await realpath(dir);
  const targets = new Set<string>();
  for (const e of doomed) {
    if (!(await lstat(e.path)).isSymbolicLink()) continue;
    const target = await realpath(e.path).catch(() => undefined);
    if (target === undefined) continue;
    if (path.dirname(target) === realDir) targets.add(path.basename(target));
    else kept.push({ path: target, why: 'outside the trust directory' });
  }
  for (const e of entries) {
    if (doomed.includes(e)) continue;
    const fps = holds(e);
    if (fps.length === 0 || !fps.some((fp) => matched.has(fp))) continue;
    if (fps.every((fp) => matched.has(fp))) doomed.push(e);
    else if (targets.has(e.name)) kept.push({ path: e.path, why: 'also holds other certificates (rehash never links such a file)' });
    else kept.push({ path: e.path, why: 'also holds other certificates, so it is never read as trusted' });
  }
  for (const e of doomed) await unlink(e.path);

  const hashes = new Set(doomed.flatMap((e) => (e.hashed !== undefined ? [e.hashed.hash] : [])));
  for (const hash of hashes) await renumber(dir, hash);
  const revoked = scan.trusted.filter((t) => matched.has(t.fingerprint256)).map((t) => t.identity);
  const unique = (ids: ClientIdentity[]): ClientIdentity[] => [...new Map(ids.map((id) => [id.fingerprint256, id])).values()];
  return { revoked: unique(revoked), untrusted: unique(leftovers.map(clientIdentityOf)), removed: doomed.map((e) => e.name).sort(), kept };
}

export async function rehashDir(dir: string): Promise<Array<{ link: string; target: string }>> {
  const entries = await loadDir(dir);
  const reached = new Set((await scanTrustDir(dir)).trusted.map((t) => t.fingerprint256));
  const created: Array<{ link: string; target: string }> = [];
  for (const e of entries) {
    if (e.loaded.kind !== 'certs') continue;
    // Like `openssl rehash`, link only files holding exactly one certificate,
    // and leave existing hashed symlinks alone.
    if (e.loaded.certs.length !== 1) continue;
    if (e.hashed !== undefined && (await lstat(e.path)).isSymbolicLink()) continue;
    const c = e.loaded.certs[0]!;
    if (reached.has(c.cert.fingerprint256)) continue;
    for (let n = 0; ; n++) {
      const name = `${c.hash}.${n}`;
      try {
        await symlink(e.name, path.join(dir, name));
        created.push({ link: name, target: e.name });
        break;
      } catch (err) {
        if (!isCode(err, 'EEXIST')) throw err;
      }
    }
    reached.add(c.cert.fingerprint256);
  }
  return created;
}

async function loadDir(dir: string): Promise<Entry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new Error(`cannot read trust directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  names.sort();
  const out: Entry[] = [];
  for (const name of names) {
    if (name.startsWith('.install-')) continue;
    const m = HASHED_NAME.exec(name);
    const hashed = m !== null ? { hash: m[1]!, n: Number(m[2]) } : undefined;
    const p = path.join(dir, name);
    out.push({ name, path: p, hashed, loaded: await loadEntry(p, hashed !== undefined) });
  }
  return out;
}

async function loadEntry(p: string, hashedName: boolean): Promise<Loaded> {
  let info;
  try {
    info = await stat(p);
  } catch (err) {
    if (isCode(err, 'ENOENT') || isCode(err, 'ELOOP')) {
      const target = await readlink(p).catch(() => undefined);
      if (target !== undefined) return { kind: 'dangling', target };
    }
    return hashedName ? { kind: 'unusable', reason: `cannot be read: ${(err as Error).message}` } : { kind: 'skip' };
  }
  if (!info.isFile()) return hashedName ? { kind: 'unusable', reason: 'not a regular file' } : { kind: 'skip' };
  if (info.size > MAX_FILE_BYTES) {
    return hashedName ? { kind: 'unusable', reason: `larger than ${MAX_FILE_BYTES} bytes` } : { kind: 'skip' };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(p);
  } catch (err) {
    return hashedName ? { kind: 'unusable', reason: `cannot be read: ${(err as Error).message}` } : { kind: 'skip' };
  }
  try {
    const text = bytes.toString('latin1');
    if (!text.includes('-----BEGIN')) {
      // OpenSSL reads hashed directories as PEM only.
      const der = bytes[0] === 0x30 ? parseDer(bytes) : undefined;
      if (der !== undefined) return { kind: 'der', cert: der };
      return hashedName ? { kind: 'unusable', reason: 'holds no PEM certificate' } : { kind: 'skip' };
    }
    const ders = certificatesFromPem(text);
    if (ders.length === 0) {
      return hashedName ? { kind: 'unusable', reason: 'holds no PEM certificate' } : { kind: 'skip' };
    }
    return { kind: 'certs', certs: ders.map(parseCert) };
  } catch (err) {
    return hashedName ? { kind: 'unusable', reason: `cannot be parsed: ${(err as Error).message}` } : { kind: 'skip' };
  }
}

function parseCert(der: Buffer): ParsedCert {
  const cert = new X509Certificate(der);
  let hashOld: string | undefined;
  try {
    hashOld = subjectHashOld(der);
  } catch {
    hashOld = undefined;
  }
  return { der, cert, hash: subjectHash(der), hashOld };
}

function parseDer(bytes: Buffer): ParsedCert | undefined {
  try {
    return parseCert(bytes);
  } catch {
    return undefined;
  }
}

/**
 * OpenSSL tries <hash>.0, .1, ... and stops at the first name it cannot stat
 * or load. Returns, for every hashed entry it never reaches, the name where it
 * stopped.
 */
function reachableHashedEntries(entries: Entry[]): Map<string, string> {
  const byHash = new Map<string, Map<number, Entry>>();
  const unreachable = new Map<string, string>();
  for (const e of entries) {
    if (e.hashed === undefined) continue;
    // '.01' is never looked up: OpenSSL prints the number with %d.
    if (`${e.hashed.hash}.${e.hashed.n}` !== e.name) {
      unreachable.set(e.name, `${e.hashed.hash}.${e.hashed.n}`);
      continue;
    }
    const group = byHash.get(e.hashed.hash) ?? new Map<number, Entry>();
    group.set(e.hashed.n, e);
    byHash.set(e.hashed.hash, group);
  }
  for (const [hash, group] of byHash) {
    let stop = 0;
    while (group.get(stop)?.loaded.kind === 'certs') stop++;
    for (const [n, e] of group) if (n > stop) unreachable.set(e.name, `${hash}.${stop}`);
  }
  return unreachable;
}

function toTrusted(e: Entry, c: ParsedCert): TrustedCert {
  return {
    file: e.name,
    path: e.path,
    cert: c.cert,
    pem: c.cert.toString(),
    fingerprint256: c.cert.fingerprint256,
    subject: c.cert.subject,
    identity: clientIdentityOf(c.cert),
    hash: c.hash,
  };
}

function freeName(names: Set<string>, hash: string): string {
  let n = 0;
  while (names.has(`${hash}.${n}`)) n++;
  return `${hash}.${n}`;
}

function matchSelector(dir: string, trusted: TrustedCert[], entries: Entry[], selector: string): string[] {
  const hex = selector.replaceAll(':', '').toUpperCase();
  const byFingerprint = /^[0-9A-F]{64}$/.test(hex) ? trusted.filter((t) => t.fingerprint256.replaceAll(':', '') === hex) : [];
  const byName = trusted.filter((t) => t.identity.commonName === selector);

  let fileName: string | undefined = selector;
  if (selector.includes('/') || selector.includes(path.sep)) {
    const resolved = path.resolve(selector);
    fileName = path.dirname(resolved) === path.resolve(dir) ? path.basename(resolved) : undefined;
  }
  const trustedFps = new Set(trusted.map((t) => t.fingerprint256));
  const entry = entries.find((e) => e.name === fileName);
  const byFile = entry?.loaded.kind === 'certs' ? entry.loaded.certs.map((c) => c.cert.fingerprint256) : [];

  return [...byFingerprint.map((t) => t.fingerprint256), ...byName.map((t) => t.fingerprint256), ...byFile.filter((fp) => trustedFps.has(fp))];
}

function matchLeftovers(dir: string, ignored: readonly IgnoredEntry[], selector: string): X509Certificate[] {
  const hex = selector.replaceAll(':', '').toUpperCase();
  const fileName =
    selector.includes('/') || selector.includes(path.sep)
      ? path.dirname(path.resolve(selector)) === path.resolve(dir)
        ? path.basename(selector)
        : undefined
      : selector;
  return ignored.flatMap(({ file, certificate }) =>
    certificate !== undefined &&
    (certificate.fingerprint256.replaceAll(':', '') === hex || clientIdentityOf(certificate).commonName === selector || file === fileName)
      ? [certificate]
      : [],
  );
}

/** Closes the numbering of one hash so OpenSSL's lookup reaches every entry. */
async function renumber(dir: string, hash: string): Promise<void> {
  const names = (await readdir(dir))
    .map((name) => ({ name, m: HASHED_NAME.exec(name) }))
    .filter((x) => x.m !== null && x.m[1] === hash && `${hash}.${Number(x.m[2])}` === x.name)
    .map((x) => ({ name: x.name, n: Number(x.m![2]) }))
    .sort((a, b) => a.n - b.n);
  // Ascending order means slot i has always been vacated before anything moves into it.
  for (const [i, { name, n }] of names.entries()) {
    if (n !== i) await rename(path.join(dir, name), path.join(dir, `${hash}.${i}`));
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
