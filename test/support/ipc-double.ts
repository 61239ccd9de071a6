import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { answerHeader, FrameReader, IPC_REQUEST_HEADER } from '../../src/ipc/frame.js';

/**
 * What a real node does that our embedded server doesn't, and nothing else: answers
 * pretty-printed as Boost's write_json does, a node that closes the connection before or in the
 * middle of an answer, and a node that hangs. `behave` picks per request.
 */
export type DoubleBehaviour = 'pretty' | 'close_before_answer' | 'close_mid_answer' | 'hang';

export interface IpcDouble {
  readonly port: number;
  readonly url: string;
  /** Every request body received, in order. */
  readonly received: Array<Record<string, unknown>>;
  /** The same, as the bytes that arrived. */
  readonly raw: string[];
  close(): Promise<void>;
}

/** The node's write_json style: 4-space indent, every scalar a string, trailing newline. */
export function prettyLikeTheNode(value: Record<string, unknown>): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

export async function startIpcDouble(
  behave: (request: Record<string, unknown>) => DoubleBehaviour,
  answers: (request: Record<string, unknown>) => Record<string, unknown> = () => ({ count: '1', unchecked: '0', cemented: '1' }),
): Promise<IpcDouble> {
  const received: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new FrameReader(IPC_REQUEST_HEADER, 1 << 20);
    socket.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (frames === 'too_large') {
        socket.destroy();
        return;
      }
      for (const { payload } of frames) {
        raw.push(payload.toString('utf8'));
        const request = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        received.push(request);
        const behaviour = behave(request);
        const body = Buffer.from(prettyLikeTheNode(answers(request)));
        if (behaviour === 'pretty') {
          socket.write(Buffer.concat([answerHeader(body.length), body]));
        } else if (behaviour === 'close_before_answer') {
          socket.destroy();
        } else if (behaviour === 'close_mid_answer') {
          socket.write(Buffer.concat([answerHeader(body.length), body.subarray(0, 5)]), () => socket.destroy());
        }
        // 'hang': nothing is sent, the connection stays open.
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    received,
    raw,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
