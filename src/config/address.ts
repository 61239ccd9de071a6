import { isIP } from 'node:net';

/**
 * Canonical form for `listen()`, or undefined if `text` is not an IP address.
 * The node parses `address` as IPv6, so IPv4 there is written v4-mapped (`::ffff:127.0.0.1`);
 * Node sockets want the plain IPv4 form for that, which also keeps loopback detection simple.
 */
export function normaliseAddress(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  const zoneAt = text.indexOf('%');
  const zone = zoneAt >= 0 ? text.slice(zoneAt) : '';
  const bare = zoneAt >= 0 ? text.slice(0, zoneAt) : text;
  // The WHATWG URL parser writes IPv6 in RFC 5952 form (lower case, longest zero run as ::).
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped !== null && zone === '') {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return canonical + zone;
}

/** True for 127.0.0.0/8 and ::1, given a normalised address. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}
