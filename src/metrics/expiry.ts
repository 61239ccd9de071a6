import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';

export interface WatchedCertificate {
  readonly role: 'server' | 'client';
  readonly cert: X509Certificate;
  readonly commonName: string | undefined;
}

const DAY_MS = 86_400_000;
const THRESHOLDS = [30, 7] as const;

/**
 * Logs a warning when a certificate comes within 30 days of its expiry, and again within 7:
 * once per certificate and threshold, checked at start and then every `intervalMs`.
 */
export function watchCertificateExpiry(
  logger: Logger,
  certificates: () => readonly WatchedCertificate[],
  intervalMs = 3_600_000,
): { check(): void; close(): void } {
  const warned = new Set<string>();
  const check = (): void => {
    const now = Date.now();
    for (const { role, cert, commonName } of certificates()) {
      const days = (Date.parse(cert.validTo) - now) / DAY_MS;
      const threshold = days < 0 ? undefined : THRESHOLDS.filter((limit) => days <= limit).at(-1);
      if (threshold === undefined) continue;
      const key = `${cert.fingerprint256}/${threshold}`;
      if (warned.has(key)) continue;
      warned.add(key);
      logger.warn(
        { role, subject: commonName, fingerprint256: cert.fingerprint256, validTo: cert.validTo, days: Math.floor(days) },
        `the ${role} certificate ${commonName ?? ''} expires in ${Math.floor(days)} days (${cert.validTo}): renew it`,
      );
    }
  };
  check();
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { check, close: () => clearInterval(timer) };
}
