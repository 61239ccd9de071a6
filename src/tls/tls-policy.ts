import { constants } from 'node:crypto';

/**
 * What TLS this server speaks, in one place. TLS 1.2 offers only forward-secret AEAD suites
 * (ECDHE, and DHE with the configured or Node's built-in DH group); TLS 1.3 offers its own three.
 * No CBC, no SHA-1 MAC, no static-RSA key exchange, no ARIA or CCM8.
 */
export const TLS12_SUITES: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
];

/** Named explicitly: a `ciphers` string without TLS 1.3 names would turn TLS 1.3 off in Node. */
export const TLS13_SUITES: readonly string[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/**
 * Options every server TLS context gets, the first one and every one swapped in later
 * (setSecureContext builds a new context from these, so nothing is lost on a swap).
 */
export const TLS_POLICY = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
  honorCipherOrder: true,
  // A client that could renegotiate could present another certificate (or none) on an admitted
  // connection: the identity a connection was admitted with must be the one it keeps.
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
} as const;
