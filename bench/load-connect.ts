import { connect, type TLSSocket } from 'node:tls';
import { BLOCK_COUNT_BODY, type ConnectJob, type LoadResult } from './load-protocol.js';
import { LoadWindow } from './load-window.js';

const REQUEST = [
  'POST / HTTP/1.1',
  'Host: localhost',
  'Content-Type: application/json',
  `Content-Length: ${Buffer.byteLength(BLOCK_COUNT_BODY)}`,
  'Connection: close',
  '',
  BLOCK_COUNT_BODY,
].join('\r\n');

const CONNECTION_TIMEOUT_MS = 10_000;

interface Outcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly resumed: boolean;
  readonly session: Buffer | undefined;
}

/** One fresh TCP + mutual-TLS connection, one block_count request, then the server closes it. */
function connectOnce(job: ConnectJob, session: Buffer | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    let newSession: Buffer | undefined;
    let resumed = false;
    let answer = '';
    let settled = false;
    const socket: TLSSocket = connect({
      host: job.host,
      port: job.port,
      servername: 'localhost',
      cert: job.certPem,
      key: job.keyPem,
      // The load generator has one core, like the server: it presents its certificate but skips
      // verifying the server's chain, which only costs client CPU. The server's work is unchanged.
      ca: job.caPem,
      rejectUnauthorized: false,
      ...(session ? { session } : {}),
    });
    const timer = setTimeout(() => done('timed out'), CONNECTION_TIMEOUT_MS);
    function done(error?: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const ok = error === undefined && answer.startsWith('HTTP/1.1 200') && answer.includes('"count"');
      resolve({ ok, resumed, session: newSession, ...(ok ? {} : { error: error ?? `unexpected answer: ${answer.slice(0, 80)}` }) });
    }
    socket.on('session', (ticket: Buffer) => {
      newSession = ticket;
    });
    socket.once('secureConnect', () => {
      resumed = socket.isSessionReused();
      socket.write(REQUEST);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('end', () => done());
    socket.once('close', () => done());
    socket.once('error', (error: Error) => done(error.message));
  });
}

/** `concurrency` loops of connect → request → close, with or without offering the last session. */
export async function runConnect(job: ConnectJob): Promise<LoadResult> {
  const window = new LoadWindow(job.warmupMs, job.durationMs);
  const worker = async (): Promise<void> => {
    let session: Buffer | undefined;
    while (window.open) {
      const token = window.begin();
      const outcome = await connectOnce(job, job.resume ? session : undefined);
      if (outcome.session) session = outcome.session;
      window.record(token, outcome);
      if (!outcome.ok) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return window.result(true);
}
