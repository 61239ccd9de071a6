import { readPem } from '../pki/pem.js';

/**
 * Container-style overrides carrying PEM contents rather than paths, as the Actual server's
 * ACTUAL_HTTPS_KEY / ACTUAL_HTTPS_CERT do. An empty variable counts as unset, so `-e VAR=`
 * in a compose file does not blank out the file setting.
 */
export const ENV_CONFIG = 'NANO_RPC_CONFIG';
export const ENV_CERT = 'NANO_RPC_SERVER_CERT';
export const ENV_KEY = 'NANO_RPC_SERVER_KEY';
export const ENV_PASSPHRASE = 'NANO_RPC_SERVER_KEY_PASSPHRASE';

/** Literal `\n` (two characters) becomes a newline, for platforms that cannot hold newlines in env; CRLF becomes LF. */
export function pemFromEnv(value: string): string {
  return (
    value
      .replace(/\\r\\n|\\n/g, '\n')
      .replace(/\r\n/g, '\n')
      .trim() + '\n'
  );
}

export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

// What the variables may hold (no DSA key: the env route has only ever taken these).
const ENV_LABELS = {
  certificate: ['CERTIFICATE'],
  key: ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'],
} as const;

/** A structural check only (one well-formed block): the TLS material loader parses the contents properly. */
export function checkPem(name: string, pem: string, kind: 'certificate' | 'key'): string | undefined {
  const ok = readPem(pem, { labels: ENV_LABELS[kind] }).some((block) => block.problem === undefined);
  if (ok) return undefined;
  const expected = kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN [RSA |EC |ENCRYPTED ]PRIVATE KEY-----';
  return `env ${name}: not a PEM ${kind} (expected a ${expected} ... -----END ...----- block; newlines may be written as \\n)`;
}
