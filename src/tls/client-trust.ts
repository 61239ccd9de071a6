import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { scanTrustDir, type TrustDirScan, type TrustedCert } from './trust-dir.js';
import { folderSignature } from './file-signature.js';
import { watchForChanges, type ChangeWatcher } from './watch.js';

/** Whether a presented certificate is trusted, decided once per certificate and trust generation. */
interface Decision {
  readonly trusted: boolean;
  readonly notBefore: number;
  readonly notAfter: number;
}

export type PeerVerdict = 'trusted' | 'untrusted' | 'expired' | 'not_yet_valid';

/**
 * One generation of the client trust directory. Everything a handshake needs is computed here
 * once, not per connection.
 */
export class TrustSnapshot {
  readonly certificates: readonly TrustedCert[];
  readonly ignored: TrustDirScan['ignored'];
  /** The PEMs handed to OpenSSL as its trust store (never undefined: that would mean the public roots). */
  readonly caPems: string[];
  private readonly byFingerprint: ReadonlyMap<string, TrustedCert>;
  private readonly decisions = new Map<string, Decision>();

  constructor(scan: TrustDirScan) {
    this.certificates = scan.trusted;
    this.ignored = scan.ignored;
    this.caPems = scan.trusted.map((entry) => entry.pem);
    this.byFingerprint = new Map(scan.trusted.map((entry) => [entry.fingerprint256, entry]));
  }

  get fingerprints(): ReadonlySet<string> {
    return new Set(this.byFingerprint.keys());
  }

  /**
   * Whether a presented chain still ends in a trusted certificate. OpenSSL checked it at the full
   * handshake against the trust store of its time; this re-check is what keeps a resumed session
   * or an already open connection from outliving a revocation.
   */
  judge(leaf: X509Certificate, now = Date.now()): PeerVerdict {
    let decision = this.decisions.get(leaf.fingerprint256);
    if (!decision) {
      decision = { trusted: this.chainsToTrusted(leaf), notBefore: Date.parse(leaf.validFrom), notAfter: Date.parse(leaf.validTo) };
      this.decisions.set(leaf.fingerprint256, decision);
    }
    if (!decision.trusted) return 'untrusted';
    // A resumed session skips OpenSSL's checks, expiry included.
    if (now > decision.notAfter) return 'expired';
    if (now < decision.notBefore) return 'not_yet_valid';
    return 'trusted';
  }

  /** The trusted entry for a certificate, if it is itself in the directory. */
  entryFor(certificate: X509Certificate): TrustedCert | undefined {
    return this.byFingerprint.get(certificate.fingerprint256);
  }

  private chainsToTrusted(leaf: X509Certificate): boolean {
    let current: X509Certificate | undefined = leaf;
    for (let depth = 0; current && depth < 10; depth++) {
      if (this.byFingerprint.has(current.fingerprint256)) return true;
      for (const anchor of this.certificates) {
        if (current.checkIssued(anchor.cert) && current.verify(anchor.cert.publicKey)) return true;
      }
      const issuer: X509Certificate | undefined = current.issuerCertificate;
      current = issuer && issuer.fingerprint256 !== current.fingerprint256 ? issuer : undefined;
    }
    return false;
  }
}

/**
 * The client_certs_path directory, kept current: a change (add, remove, re-link, rewrite) is
 * seen within a poll interval at worst, and listeners get the new snapshot.
 */
export class ClientTrust {
  private snapshot: TrustSnapshot;
  private watcher: ChangeWatcher | undefined;
  private readonly listeners: Array<(snapshot: TrustSnapshot) => void> = [];

  private constructor(
    readonly folder: string,
    private readonly logger: Logger,
    initial: TrustSnapshot,
  ) {
    this.snapshot = initial;
  }

  /** Reads the directory once; throws if it cannot be read, so a bad path stops the start. */
  static async open(folder: string, logger: Logger, pollMs = 500): Promise<ClientTrust> {
    const trust = new ClientTrust(folder, logger, new TrustSnapshot(await scanTrustDir(folder)));
    trust.report(trust.snapshot);
    trust.watcher = await watchForChanges({
      folders: [folder],
      signature: () => folderSignature(folder),
      pollMs,
      onChange: () => trust.reload(),
      onError: (error) => logger.error({ err: error, folder }, 'client_certs_path: rescan failed; the previous trust list stays in force'),
    });
    return trust;
  }

  current(): TrustSnapshot {
    return this.snapshot;
  }

  onChange(listener: (snapshot: TrustSnapshot) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.watcher?.close();
  }

  /** Re-reads the directory now (SIGHUP) and re-judges open connections through the listeners. */
  rescan(): Promise<void> {
    return this.reload();
  }

  private async reload(): Promise<void> {
    const next = new TrustSnapshot(await this.scanOrNothing());
    const before = this.snapshot.fingerprints;
    const after = next.fingerprints;
    const added = next.certificates.filter((entry) => !before.has(entry.fingerprint256));
    const removed = this.snapshot.certificates.filter((entry) => !after.has(entry.fingerprint256));
    this.snapshot = next;
    for (const entry of added) this.logger.info({ file: entry.file, subject: entry.commonName, fingerprint256: entry.fingerprint256 }, 'client certificate trusted');
    for (const entry of removed) this.logger.info({ file: entry.file, subject: entry.commonName, fingerprint256: entry.fingerprint256 }, 'client certificate revoked');
    this.report(next);
    for (const listener of this.listeners) listener(next);
  }

  /**
   * A directory that has disappeared trusts nobody (fail closed: renaming it away must not leave
   * the old list in force). Other read errors keep the old list; the watcher tries again.
   */
  private async scanOrNothing(): Promise<TrustDirScan> {
    try {
      return await scanTrustDir(this.folder);
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ENOENT') throw error;
      this.logger.error({ folder: this.folder }, 'client_certs_path no longer exists: every client is refused until it is back');
      return { trusted: [], ignored: [] };
    }
  }

  private report(snapshot: TrustSnapshot): void {
    for (const entry of snapshot.ignored) {
      this.logger.warn({ folder: this.folder, file: entry.file, expectedName: entry.expectedName }, `client_certs_path: ${entry.file} is not trusted: ${entry.reason}`);
    }
    if (snapshot.certificates.length === 0) {
      this.logger.warn({ folder: this.folder }, 'client_certs_path holds no trusted certificate: every client will be refused');
    }
  }
}
