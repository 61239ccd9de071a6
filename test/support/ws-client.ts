import WebSocket from 'ws';

/** A `ws` client whose messages can be awaited in order (no sleeps). */
export class WsClient {
  private readonly received: Record<string, unknown>[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.received.push(JSON.parse(bytes.toString()) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve({ code })));
  }

  static open(url: string, tls: { cert?: string; key?: string; ca?: string } = {}): Promise<WsClient> {
    const socket = new WebSocket(url, { ...tls });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no websocket message arrived in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.shift()!;
  }

  close(): void {
    this.socket.close();
  }
}
