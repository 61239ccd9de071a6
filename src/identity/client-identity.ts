import type { X509Certificate } from 'node:crypto';
import { subjectCommonName } from '../pki/subject-hash.js';

/**
 * Who a client is: the one definition every log line, `certs` command and per-client rule uses.
 * The common name is the subject's last CN (the most specific one, read from the DER, so a
 * subject such as `/CN=first/CN=second` gives `second` everywhere); the SHA-256 fingerprint is
 * what actually tells two certificates apart.
 */
export interface ClientIdentity {
  readonly commonName: string | undefined;
  /** Colon-separated upper-case hex, as X509Certificate#fingerprint256 prints it. */
  readonly fingerprint256: string;
}

export function clientIdentityOf(certificate: X509Certificate): ClientIdentity {
  return { commonName: subjectCommonName(certificate.raw), fingerprint256: certificate.fingerprint256 };
}

/** The identity as one line of text for CLI output: `CN=name sha256 AB:CD:…`. */
export function describeIdentity(identity: ClientIdentity): string {
  return `CN=${identity.commonName ?? '(none)'} sha256 ${identity.fingerprint256}`;
}
