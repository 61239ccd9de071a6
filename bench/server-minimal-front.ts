/**
 * Child entry: the least a Node front can do, as the floor node mode is measured against: node:https
 * with mutual TLS, read the body, JSON.parse it (as any front that checks requests must), send the
 * bytes to the upstream, answer with the upstream's bytes. No checks, limits, failover, timeouts or
 * error texts. The upstream is `tcp://HOST:PORT` (the node's IPC: a pool of sockets, one request in
 * flight each) or `http://HOST:PORT` (an undici Pool, keep-alive, `request()` as its README shows).
 * argv: CERT KEY CLIENT_CERT UPSTREAM. Reports {type:'listening', port} over IPC.
 */
import { connect, type Socket } from 'node:net';
import { Pool } from 'undici';
import { answerJson, serveBareHttps } from './bare-https.js';
import { fail } from './child-ipc.js';

const CONNECTIONS = 16;

type Forward = (body: Buffer) => Promise<Buffer>;

/** The node's IPC framing, written out inline: 'N', encoding 1, 0, 0, BE u32 length, payload; answer: BE u32 length, payload. */
function ipcForward(host: string, port: number): Forward {
  const idle: IpcSocket[] = [];
  const waiting: Array<{ body: Buffer; resolve: (answer: Buffer) => void; reject: (error: Error) => void }> = [];
  let open = 0;
  class IpcSocket {
    private readonly socket: Socket;
    private chunks: Buffer[] = [];
    private size = 0;
    private done: ((answer: Buffer) => void) | undefined;
    constructor() {
      this.socket = connect({ host, port, noDelay: true });
      this.socket.on('data', (chunk: Buffer) => {
        this.chunks.push(chunk);
        this.size += chunk.length;
        if (this.size < 4) return;
        const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
        const length = all.readUInt32BE(0);
        if (this.size < 4 + length) {
          this.chunks = [all];
          return;
        }
        this.chunks = [];
        this.size = 0;
        const done = this.done!;
        this.done = undefined;
        done(all.subarray(4, 4 + length));
      });
      this.socket.on('error', (error) => process.stderr.write(`minimal front: IPC socket failed: ${error.message}\n`));
    }
    send(body: Buffer, done: (answer: Buffer) => void): void {
      this.done = done;
      const frame = Buffer.allocUnsafe(8 + body.length);
      frame.write('N\x01\x00\x00', 0, 'latin1');
      frame.writeUInt32BE(body.length, 4);
      body.copy(frame, 8);
      this.socket.write(frame);
    }
  }
  const next = (socket: IpcSocket): void => {
    const job = waiting.shift();
    if (job === undefined) return void idle.push(socket);
    socket.send(job.body, (answer) => {
      job.resolve(answer);
      next(socket);
    });
  };
  return (body) =>
    new Promise<Buffer>((resolve, reject) => {
      waiting.push({ body, resolve, reject });
      const socket = idle.pop() ?? (open < CONNECTIONS ? (open++, new IpcSocket()) : undefined);
      if (socket !== undefined) next(socket);
    });
}

function httpForward(origin: string): Forward {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  return async (body) => {
    const response = await pool.request({ path: '/', method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return Buffer.from(await response.body.arrayBuffer());
  };
}

async function main(): Promise<void> {
  const [certPath, keyPath, clientCertPath, upstream] = process.argv.slice(2);
  if (!certPath || !keyPath || !clientCertPath || !upstream)
    throw new Error('usage: server-minimal-front.js CERT KEY CLIENT_CERT tcp://HOST:PORT|http://HOST:PORT');
  const url = new URL(upstream);
  const forward = url.protocol === 'tcp:' ? ipcForward(url.hostname, Number(url.port)) : httpForward(url.origin);
  await serveBareHttps({ certPath, keyPath, clientCertPath }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        return answerJson(res, '{"error":"Unable to parse JSON"}');
      }
      forward(body).then(
        (bytes) => answerJson(res, bytes),
        () => answerJson(res, '{"error":"Connection to node has failed"}'),
      );
    });
  });
}

main().catch(fail);
