import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';

/**
 * The places where we reach into Node's TLS internals, kept together so a Node upgrade
 * has one file to check (test/tls covers both behaviours end to end).
 */

interface SecureContextHandle {
  setAllowPartialTrustChain?: () => void;
}

/**
 * Lets a trusted certificate that is not self-signed (a client leaf issued by some CA, or an
 * intermediate) anchor a chain, as OpenSSL's X509_V_FLAG_PARTIAL_CHAIN does. Node 20 has the
 * `allowPartialTrustChain` option on tls.createSecureContext(), but tls.Server#setSecureContext
 * does not pass it through, so it is set on the server's shared context after every swap.
 * Without it only self-signed client certificates could be trusted directly.
 */
export function allowPartialTrustChain(server: TlsServer): void {
  const shared = (server as unknown as { _sharedCreds?: { context?: SecureContextHandle } })._sharedCreds;
  const setFlag = shared?.context?.setAllowPartialTrustChain;
  if (typeof setFlag !== 'function') {
    throw new Error('this Node.js version cannot trust client certificates that are not self-signed (no setAllowPartialTrustChain)');
  }
  setFlag.call(shared!.context);
}

/**
 * The TCP socket under a TLS socket. By the time 'tlsClientError' fires the TLS socket has no
 * handle left and forgets its peer address; the raw socket is the key under which we kept it.
 */
export function rawSocketOf(tlsSocket: TLSSocket): Socket | undefined {
  return (tlsSocket as unknown as { _parent?: Socket })._parent;
}

/**
 * Takes over the TLS server's own 'connection' listener (the one that wraps a TCP socket in TLS),
 * so the connection gate can look at a connection before TLS starts and hand it over afterwards.
 * Node's TLS socket reads bytes already buffered (unshifted) on the TCP socket first.
 */
export function takeConnectionListeners(server: TlsServer): (socket: Socket) => void {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  if (listeners.length === 0) throw new Error('this Node.js version wraps TLS connections differently (no connection listener on tls.Server)');
  server.removeAllListeners('connection');
  return (socket) => {
    for (const listener of listeners) listener.call(server, socket);
  };
}
