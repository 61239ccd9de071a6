/**
 * Issue 11's figures: work_generate at the dev thresholds (per second, and per core = one worker
 * thread), `send` over mutual TLS (durable commits, one wallet, 16 source accounts so blocks of
 * different accounts share group commits), and confirmation messages delivered to 100 websocket
 * subscribers while those sends run. The server is our real service in a child process; the work
 * figures run the work pool in this process.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { encodeAccount } from '../src/ledger/crypto/account.js';
import { DEV_WORK_THRESHOLDS } from '../src/ledger/crypto/work.js';
import { createWorkPool } from '../src/work/work-pool.js';
import { startOurs } from './ours.js';
import type { BenchPki } from './pki.js';
import type { Pin } from './procs.js';
import { fixed, table, whole } from './report.js';
import type { SuiteContext } from './suites.js';

const GENESIS_SECRET = '34F0A37AAD20F4A260F0A5B3CB3D7FB50673212263E58A380BC10474BB039CE4';
const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const SOURCES = 16;
const SUBSCRIBERS = 100;

export interface WalletContext extends SuiteContext {
  readonly dir: string;
  readonly pki: BenchPki;
  readonly serverPin: Pin;
}

interface WorkFigure {
  readonly label: string;
  readonly threads: number;
  readonly perSecond: number;
}

async function measureWork(threads: number, difficulty: bigint, ms: number): Promise<number> {
  const pool = createWorkPool(threads);
  try {
    let done = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: threads * 2 }, async () => {
        while (Date.now() < end) {
          await pool.generate(randomBytes(32), difficulty);
          done++;
        }
      }),
    );
    return done / (ms / 1000);
  } finally {
    await pool.close();
  }
}

export async function runWalletSuite(ctx: WalletContext): Promise<string[]> {
  const { options, log } = ctx;
  const ms = options.durationMs;
  const threads = Math.max(1, (await import('node:os')).availableParallelism() - 1);
  const work: WorkFigure[] = [];
  for (const [label, difficulty] of [
    ['base ffc0000000000000', DEV_WORK_THRESHOLDS.base],
    ['epoch 0/1 send fe00000000000000', DEV_WORK_THRESHOLDS.epoch1],
  ] as const) {
    for (const n of [...new Set([1, threads])]) {
      const perSecond = await measureWork(n, difficulty, ms);
      work.push({ label, threads: n, perSecond });
      log(`  work_generate ${label}, ${n} thread(s): ${whole(perSecond)}/s`);
    }
  }

  const server = await startOurs({
    dir: `${ctx.dir}/wallet-server`,
    pki: ctx.pki,
    keyType: 'ec-p256',
    tls: true,
    pin: ctx.serverPin,
    topLevel: 'enable_control = true',
    tables: ['[websocket]', 'enable = true', 'address = "127.0.0.1"', 'port = 0'].join('\n'),
  });
  const tls = { cert: ctx.client.certPem, key: ctx.client.keyPem, ca: ctx.client.caPem, rejectUnauthorized: false };
  const pool = new Pool(`https://127.0.0.1:${server.port}`, { connections: SOURCES, connect: tls });
  const call = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const response = await pool.request({ path: '/', method: 'POST', body: JSON.stringify(body) });
    return (await response.body.json()) as Record<string, unknown>;
  };
  const sockets: WebSocket[] = [];
  try {
    const wallet = String((await call({ action: 'wallet_create' })).wallet);
    await call({ action: 'wallet_add', wallet, key: GENESIS_SECRET });
    const sources = (await call({ action: 'accounts_create', wallet, count: String(SOURCES) })).accounts as string[];
    for (const source of sources) await call({ action: 'send', wallet, source: GENESIS_ACCOUNT, destination: source, amount: String(10n ** 30n) });
    // Funding is received automatically; wait until every source is open.
    for (const source of sources)
      while ((await call({ action: 'account_info', account: source })).error !== undefined) await new Promise((resolve) => setTimeout(resolve, 20));

    let serial = 0;
    const sendRound = async (durationMs: number): Promise<number> => {
      let done = 0;
      const end = Date.now() + durationMs;
      await Promise.all(
        sources.map(async (source) => {
          while (Date.now() < end) {
            const answer = await call({ action: 'send', wallet, source, destination: encodeAccount(randomBytes(32)), amount: '1', id: `bench-${serial++}` });
            if (typeof answer.block === 'string') done++;
          }
        }),
      );
      return done / (durationMs / 1000);
    };
    await sendRound(options.warmupMs);
    const sendAlone = await sendRound(ms);
    log(`  send over mutual TLS: ${whole(sendAlone)}/s`);

    let delivered = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const socket = new WebSocket(`wss://127.0.0.1:${server.websocketPort}/`, tls);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.on('message', () => delivered++);
      socket.send(JSON.stringify({ action: 'subscribe', topic: 'confirmation' }));
      sockets.push(socket);
    }
    await sendRound(options.warmupMs);
    delivered = 0;
    const started = Date.now();
    const sendWatched = await sendRound(ms);
    const messagesPerSecond = delivered / ((Date.now() - started) / 1000);
    log(`  send with ${SUBSCRIBERS} subscribers: ${whole(sendWatched)}/s, confirmations delivered ${whole(messagesPerSecond)}/s`);

    return [
      '### Wallets, work and confirmations (issue 11)',
      '',
      `work_generate on the work pool (worker threads; "per core" = 1 thread). Random roots, ${ms} ms each.`,
      '',
      ...table(
        ['difficulty', 'threads', 'works/s', 'per thread'],
        work.map((w) => [w.label, String(w.threads), whole(w.perSecond), whole(w.perSecond / w.threads)]),
      ),
      '',
      `\`send\` over mutual TLS from one wallet, ${SOURCES} source accounts in parallel (each answer after its block's durable commit), then the same with ${SUBSCRIBERS} \`wss\` confirmation subscribers in the bench process (which also decrypts every message, so it is part of the limit).`,
      '',
      ...table(
        ['round', 'send/s', 'confirmations delivered/s'],
        [
          ['no subscribers', whole(sendAlone), '–'],
          [
            `${SUBSCRIBERS} subscribers`,
            whole(sendWatched),
            `${whole(messagesPerSecond)} (${fixed(messagesPerSecond / Math.max(sendWatched, 1), 1)} per send)`,
          ],
        ],
      ),
    ];
  } finally {
    for (const socket of sockets) socket.terminate();
    await pool.close();
    await server.stop();
  }
}
