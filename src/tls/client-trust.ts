import type { X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
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

  /**
   * @param revoked certificates that were trusted earlier in this run and have been removed since
   *   (by fingerprint): a refusal of one of them says "revoked", never "misnamed, rename it".
   */
  constructor(
    scan: TrustDirScan,
    readonly revoked: ReadonlyMap<string, X509Certificate> = new Map(),
  ) {
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

  /** The revoked certificate this one is, or was issued by (a revoked intermediate or CA). */
  revokedOf(certificate: X509Certificate): X509Certificate | undefined {
    const itself = this.revoked.get(certificate.fingerprint256);
    if (itself) return itself;
    for (const anchor of this.revoked.values()) {
      if (certificate.checkIssued(anchor) && certificate.verify(anchor.publicKey)) return anchor;
    }
    return undefined;
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
  /** The message of the rescan failure already logged: a failure repeated at every poll is logged once. */
  private failing: string | undefined;
  /** Certificates trusted earlier in this run and removed since (re-trusting one takes it off). */
  private readonly revoked = new Map<string, X509Certificate>();
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
      onError: (error) => trust.rescanFailed(error),
    });
    return trust;
  }

  current(): TrustSnapshot {
    return this.snapshot;
  }

  /** Calls `listener` with every new snapshot until the returned function is called. */
  onChange(listener: (snapshot: TrustSnapshot) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at !== -1) this.listeners.splice(at, 1);
    };
  }

  close(): void {
    this.watcher?.close();
  }

  /** Re-reads the directory now (SIGHUP) and re-judges open connections through the listeners. */
  rescan(): Promise<void> {
    return this.reload();
  }

  private async reload(): Promise<void> {
    let scan: TrustDirScan;
    try {
      scan = await this.scanOrNothing();
    } catch (error) {
      // Fail closed: the watcher retries the scan, but a certificate deleted meanwhile is revoked now.
      await this.dropVanished();
      throw error;
    }
    if (this.failing !== undefined) {
      this.failing = undefined;
      this.logger.info({ folder: this.folder }, 'client_certs_path: rescan succeeded again');
    }
    this.apply(scan);
  }

  /**
   * When the directory can't be read (EMFILE, EACCES...), each trusted file is still checked
   * with stat (which needs no descriptor): one that is gone is revoked at once, its open
   * connections with it; nothing is added until a full scan succeeds.
   */
  private async dropVanished(): Promise<void> {
    const { certificates, ignored } = this.snapshot;
    const present = await Promise.all(
      certificates.map((entry) =>
        stat(entry.path).then(
          () => true,
          (error: { code?: string }) => error.code !== 'ENOENT' && error.code !== 'ENOTDIR',
        ),
      ),
    );
    if (present.every(Boolean)) return;
    this.apply({ trusted: certificates.filter((_, index) => present[index]), ignored });
  }

  private rescanFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.failing) return;
    this.failing = message;
    this.logger.error(
      { err: error, folder: this.folder },
      'client_certs_path: rescan failed; certificates whose files are gone are revoked, the rest of the previous trust list stays until a rescan succeeds (retried at every poll, logged again when the error changes)',
    );
  }

  private apply(scan: TrustDirScan): void {
    const before = this.snapshot.fingerprints;
    const after = new Set(scan.trusted.map((entry) => entry.fingerprint256));
    const added = scan.trusted.filter((entry) => !before.has(entry.fingerprint256));
    const removed = this.snapshot.certificates.filter((entry) => !after.has(entry.fingerprint256));
    for (const entry of added) this.revoked.delete(entry.fingerprint256);
    for (const entry of removed) this.revoked.set(entry.fingerprint256, entry.cert);
    const next = new TrustSnapshot(scan, new Map(this.revoked));
    this.snapshot = next;
    for (const entry of added) this.logger.info({ file: entry.file, client: entry.identity }, 'client certificate trusted');
    for (const entry of removed) {
      this.logger.info({ file: entry.file, client: entry.identity }, 'client certificate revoked');
      const leftovers = scan.ignored.filter((ignored) => ignored.certificate?.fingerprint256 === entry.fingerprint256).map((ignored) => ignored.file);
      if (leftovers.length > 0) {
        this.logger.warn(
          { folder: this.folder, files: leftovers, client: entry.identity },
          `the revoked client certificate is still in client_certs_path as ${leftovers.join(', ')}: 'nano-rpc certs rehash' would trust it again; delete it (nano-rpc certs revoke removes the link and the file)`,
        );
      }
    }
    this.report(next);
    // A copy: a listener may unsubscribe (its server closing) while the others are told.
    for (const listener of [...this.listeners]) listener(next);
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
      // A revoked certificate's leftover file is reported once, at the revocation, without advice to trust it.
      if (entry.certificate && snapshot.revoked.has(entry.certificate.fingerprint256)) continue;
      this.logger.warn(
        { folder: this.folder, file: entry.file, expectedName: entry.expectedName },
        `client_certs_path: ${entry.file} is not trusted: ${entry.reason}`,
      );
    }
    if (snapshot.certificates.length === 0) {
      this.logger.warn({ folder: this.folder }, 'client_certs_path holds no trusted certificate: every client will be refused');
    }
  }
}
