import type { X509Certificate } from 'node:crypto';
import type { ClientIdentity } from '../identity/client-identity.js';

/**
 * What the dispatcher knows about one request besides its body: the seam through which
 * per-client rules, metrics and backends learn who is calling without touching HTTP or TLS.
 */
export interface RequestContext {
  /**
   * The client admitted on this connection (mutual TLS), or undefined without client
   * certificates. Read from OpenSSL once per connection, on first use, and never changes after
   * admission.
   */
  client(): ClientIdentity | undefined;
  /**
   * The admitted client's leaf certificate (its presented chain through issuerCertificate), for
   * rules that match the issuing CA. Read at most once per connection, like `client()`.
   */
  certificate?(): X509Certificate | undefined;
}

/** For callers with no connection (tools, tests): nobody is identified. */
export const NO_CLIENT: RequestContext = { client: () => undefined };
