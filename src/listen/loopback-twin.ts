import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * The other loopback family for a loopback bind address: `localhost` resolves to 127.0.0.1 on most
 * Linux hosts and to ::1 on others, and a client tries only what its resolver returns first. A server
 * bound to one loopback address alone then refuses half of the `localhost` clients.
 */
export function loopbackTwinOf(address: string): string | undefined {
  // Only this way round: hosts whose `localhost` lacks 127.0.0.1 are practically unknown, while
  // 127.0.0.1-only `localhost` is the common Linux /etc/hosts. (A 127.0.0.1 bind needs no twin.)
  return address === '::1' ? '127.0.0.1' : undefined;
}

export interface LoopbackTwin {
  readonly address: string;
  /** The bound port (the one picked by the system when asked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on `address`:`port` and hands every accepted socket to `target` as its own `connection`
 * event (the documented way to inject a connection into a Node server), so TLS, admission, keep-alive
 * and shutdown treat it exactly like one accepted by `target` itself. Rejects with the bind error
 * (e.g. EADDRINUSE, or EADDRNOTAVAIL on a host without IPv6).
 */
export async function listenLoopbackTwin(target: Server, address: string, port: number): Promise<LoopbackTwin> {
  const twin = createServer((socket: Socket) => {
    target.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    twin.once('error', reject);
    twin.listen({ host: address, port, exclusive: true }, () => {
      twin.off('error', reject);
      resolve();
    });
  });
  return {
    address,
    port: (twin.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => twin.close(() => resolve())),
  };
}
