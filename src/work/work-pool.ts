import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Proof of work for the dev network, off the event loop. Each job runs on one worker thread (a dev
 * threshold needs ~1,000 attempts, so splitting one job across threads would cost more than it
 * saves); jobs beyond the number of threads wait in arrival order. `cancel(root)` stops every job for
 * that root, queued or running (the node's `work_cancel`), and its promise rejects with WorkCancelled.
 */

export class WorkCancelled extends Error {
  constructor() {
    super('work generation cancelled');
    this.name = 'WorkCancelled';
  }
}

export interface WorkPool {
  /** The first nonce whose value for `root` reaches `difficulty`; the nonce as a bigint. */
  generate(root: Uint8Array, difficulty: bigint): Promise<bigint>;
  /** Cancels every job for this root (32 bytes). Answers how many were cancelled. */
  cancel(root: Uint8Array): number;
  readonly threads: number;
  close(): Promise<void>;
}

// Plain JavaScript so it runs the same from the TypeScript sources (tests) and the build. The nonce is
// two uint32 halves written little-endian, so the hot loop needs no bigint. A shared Int32Array slot
// per worker is the cancel flag, read every 256 attempts.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
const flag = new Int32Array(workerData.cancel);
const state = Buffer.alloc(sodium.crypto_generichash_STATEBYTES);
const input = Buffer.alloc(40);
const out = Buffer.alloc(8);
parentPort.on('message', (job) => {
  input.set(job.root, 8);
  const threshold = BigInt(job.difficulty);
  let low = job.startLow >>> 0;
  let high = job.startHigh >>> 0;
  for (let attempt = 0; ; attempt++) {
    if ((attempt & 255) === 0 && Atomics.load(flag, 0) === job.id) {
      parentPort.postMessage({ id: job.id, cancelled: true });
      return;
    }
    input.writeUInt32LE(low, 0);
    input.writeUInt32LE(high, 4);
    sodium.crypto_generichash_init(state, null, 8);
    sodium.crypto_generichash_update(state, input);
    sodium.crypto_generichash_final(state, out);
    if (out.readBigUInt64LE(0) >= threshold) {
      parentPort.postMessage({ id: job.id, low, high });
      return;
    }
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
});
`;

interface Job {
  readonly id: number;
  readonly root: Buffer;
  readonly rootHex: string;
  readonly difficulty: bigint;
  resolve(work: bigint): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly cancel: Int32Array;
  job: Job | undefined;
}

export function createWorkPool(threads = Math.max(1, availableParallelism() - 1)): WorkPool {
  const sodiumPath = createRequire(import.meta.url).resolve('sodium-native');
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  // Threads start on first use: a server that never generates work never pays for them.
  const slots: Slot[] = [];

  function startSlot(): Slot {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumPath, cancel: cancel.buffer } });
    worker.unref();
    const slot: Slot = { worker, cancel, job: undefined };
    worker.on('message', (message: { id: number; cancelled?: boolean; low?: number; high?: number }) => {
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined && job.id === message.id) {
        if (message.cancelled) job.reject(new WorkCancelled());
        else job.resolve((BigInt(message.high ?? 0) << 32n) | BigInt(message.low ?? 0));
      }
      pump();
    });
    worker.on('error', (error) => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(error);
      // A worker that failed is replaced at the next job.
      slots.splice(slots.indexOf(slot), 1);
      pump();
    });
    slots.push(slot);
    return slot;
  }

  function pump(): void {
    while (queue.length > 0) {
      const slot = slots.find((candidate) => candidate.job === undefined) ?? (slots.length < threads && !closed ? startSlot() : undefined);
      if (slot === undefined) return;
      const job = queue.shift()!;
      slot.job = job;
      // A random start, as the node's work pool: two jobs for one root don't find the same nonce.
      const start = crypto.getRandomValues(new Uint32Array(2));
      slot.worker.postMessage({ id: job.id, root: job.root, difficulty: job.difficulty.toString(), startLow: start[0], startHigh: start[1] });
    }
  }

  return {
    threads,
    generate(root, difficulty) {
      if (closed) return Promise.reject(new WorkCancelled());
      return new Promise<bigint>((resolve, reject) => {
        const copy = Buffer.from(root);
        queue.push({ id: nextId++, root: copy, rootHex: copy.toString('hex'), difficulty, resolve, reject });
        pump();
      });
    },
    cancel(root) {
      const rootHex = Buffer.from(root).toString('hex');
      let count = 0;
      for (let i = queue.length - 1; i >= 0; i--) {
        const job = queue[i]!;
        if (job.rootHex !== rootHex) continue;
        queue.splice(i, 1);
        job.reject(new WorkCancelled());
        count++;
      }
      for (const slot of slots) {
        if (slot.job?.rootHex === rootHex) {
          Atomics.store(slot.cancel, 0, slot.job.id);
          count++;
        }
      }
      return count;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new WorkCancelled());
      for (const slot of slots) slot.job?.reject(new WorkCancelled());
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
