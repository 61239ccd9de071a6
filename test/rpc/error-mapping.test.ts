import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAction, noParams, type ActionContext } from '../../src/rpc/action.js';
import { createDispatcher } from '../../src/rpc/dispatch.js';
import { buildHttpApp } from '../../src/rpc/http-app.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * The single place where exceptions become answers, driven through Fastify's in-process
 * injection with a table holding an action that fails unexpectedly.
 */
describe('unexpected errors', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('answers a generic message, logs the cause with its stack, and never sends the stack', async () => {
    const logs = new LogCapture();
    const broken = defineAction({
      params: noParams,
      control: false,
      handler: () => {
        throw new Error('database exploded at /secret/path/ledger.mdb');
      },
    });
    const dispatch = createDispatcher({
      actions: { broken },
      controlActions: new Set(),
      enableControl: false,
      maxJsonDepth: 20,
      context: {} as ActionContext,
    });
    const app = buildHttpApp({
      dispatch,
      maxRequestSize: 1024,
      logger: logs.logger,
      logRpc: false,
      serverFactory: (handler) => createServer(handler),
      identify: () => undefined,
      isStopRequested: () => false,
      isClosing: () => false,
      onStopRequested: () => undefined,
    });
    close = () => app.close();

    const response = await app.inject({ method: 'POST', url: '/', payload: '{"action":"broken"}' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ error: 'Internal server error in RPC' });
    expect(response.body).not.toContain('exploded');
    expect(response.body).not.toContain('at ');
    const logged = await logs.waitFor((line) => line.msg === 'unexpected error while answering an RPC request');
    expect(JSON.stringify(logged)).toContain('database exploded');
    expect(JSON.stringify(logged)).toContain('stack');
  });
});
