import type { X509Certificate } from 'node:crypto';
import type { TrustSnapshot } from './client-trust.js';

export type RefusalKind = 'no_certificate' | 'untrusted' | 'expired' | 'not_yet_valid' | 'misnamed' | 'revoked';

export interface Refusal {
  readonly kind: RefusalKind;
  /** The reason in words, for the operator's log. */
  readonly reason: string;
}

const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);
const NOT_YET_VALID = new Set(['CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD']);

/**
 * Explains why OpenSSL (authorizationError) or our own re-check refused a client certificate.
 * A certificate that sits in the directory under the wrong name gets the node's old hint, with
 * the name it should have.
 */
export function explainRefusal(leaf: X509Certificate | undefined, openSslError: string | null | undefined, snapshot: TrustSnapshot): Refusal {
  if (!leaf) return { kind: 'no_certificate', reason: 'no client certificate presented' };
  const revoked = snapshot.revokedOf(leaf);
  if (revoked) {
    const what = revoked.fingerprint256 === leaf.fingerprint256 ? 'client certificate was revoked' : 'client certificate was issued by a revoked certificate';
    return { kind: 'revoked', reason: `${what} (removed from client_certs_path)` };
  }
  if (openSslError && EXPIRED.has(openSslError)) return { kind: 'expired', reason: `client certificate expired (${leaf.validTo})` };
  if (openSslError && NOT_YET_VALID.has(openSslError)) return { kind: 'not_yet_valid', reason: `client certificate not valid before ${leaf.validFrom}` };

  const misnamed = snapshot.ignored.find(
    ({ certificate }) => certificate !== undefined && (certificate.fingerprint256 === leaf.fingerprint256 || leaf.checkIssued(certificate)),
  );
  if (misnamed) {
    // misnamed.reason already carries the node's hint; the name to give comes once, after it.
    const rename = misnamed.expectedName ? `; to trust it, name it ${misnamed.expectedName}` : '';
    return {
      kind: 'misnamed',
      reason: `client certificate is in client_certs_path as ${misnamed.file}, which is not read as trusted: ${misnamed.reason}${rename}`,
    };
  }
  if (openSslError === 'SELF_SIGNED_CERT_IN_CHAIN') {
    return { kind: 'untrusted', reason: 'untrusted client certificate: its chain ends in a self-signed root that is not in client_certs_path' };
  }
  if (openSslError === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return { kind: 'untrusted', reason: 'untrusted client certificate: self-signed and not in client_certs_path' };
  }
  if (openSslError)
    return { kind: 'untrusted', reason: `untrusted client certificate: it does not chain to a certificate in client_certs_path (${openSslError})` };
  return { kind: 'revoked', reason: 'client certificate is no longer trusted (removed from client_certs_path)' };
}
