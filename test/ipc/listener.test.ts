import { connect } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestHeader } from '../../src/ipc/frame.js';
import { startIpcListener } from '../../src/ipc/listener.js';
import type { Dispatched } from '../../src/rpc/dispatch.js';

describe('IPC listener shutdown', () => {
  it('sends an answer that was ready when close() began, then closes the connection', async () => {
    let release: ((dispatched: Dispatched) => void) | undefined;
    let requestArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    const listener = await startIpcListener({
      host: '127.0.0.1',
      port: 0,
      maxRequestSize: 1024,
      logger: pino({ level: 'silent' }),
      logRpc: false,
      isStopRequested: () => false,
      onStopRequested: () => undefined,
      dispatch: () =>
        new Promise<Dispatched>((resolve) => {
          release = resolve;
          requestArrived();
        }),
    });

    const socket = connect(listener.address.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const payload = Buffer.from('{"action":"block_count"}');
    socket.write(Buffer.concat([requestHeader(payload.length), payload]));
    await arrived;

    // The answer becomes ready, and the shutdown begins before the event loop's turn ends.
    release!({ action: 'block_count', result: { count: '1', unchecked: '0', cemented: '1' } });
    for (let tick = 0; tick < 20; tick++) await Promise.resolve();
    await listener.close();
    await closed;

    expect(received.length).toBeGreaterThan(4);
    expect(received.readUInt32BE(0)).toBe(received.length - 4);
    expect(JSON.parse(received.subarray(4).toString())).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });
});
