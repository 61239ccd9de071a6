/**
 * Child entry: signature verification on one thread. `ours` = src/ledger/crypto/ed25519.ts `verify`
 * (ed25519 with blake2b-512, composed from libsodium point operations) on the ingest set's (hash,
 * signature, account) triples; `libsodium` = sodium-native's crypto_sign_verify_detached (standard
 * ed25519/SHA-512) on as many of its own signatures, made before timing.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { verify } from '../src/ledger/crypto/ed25519.js';
import { exitWithParent, fail, sendAndFlush } from './child-ipc.js';
import { readBlockSet, toBlock } from './ledger-blocks.js';
import type { VerifyJob, WorkResult } from './ledger-protocol.js';

interface SodiumSign {
  readonly crypto_sign_PUBLICKEYBYTES: number;
  readonly crypto_sign_SECRETKEYBYTES: number;
  readonly crypto_sign_BYTES: number;
  crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, message: Uint8Array, sk: Uint8Array): void;
  crypto_sign_verify_detached(sig: Uint8Array, message: Uint8Array, pk: Uint8Array): boolean;
}

const sodium = createRequire(import.meta.url)('sodium-native') as SodiumSign;

interface Triple {
  readonly message: Buffer;
  readonly signature: Buffer;
  readonly publicKey: Buffer;
}

function ourTriples(file: string): Triple[] {
  return readBlockSet(file, 'ingest').blocks.map((built) => {
    const block = toBlock(built);
    if (block.type !== 'state') throw new Error('the ingest set holds state blocks only');
    return { message: Buffer.from(built.hash, 'hex'), signature: block.signature, publicKey: block.account };
  });
}

function sodiumTriples(count: number): Triple[] {
  return Array.from({ length: count }, () => {
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_keypair(publicKey, secretKey);
    const message = randomBytes(32);
    const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(signature, message, secretKey);
    return { message, signature, publicKey };
  });
}

/** Cycles through the triples until `ms` have passed (clock read every 32 checks). */
function runFor(ms: number, triples: readonly Triple[], check: (t: Triple) => boolean, from: number): { ok: number; bad: number; at: number } {
  const end = performance.now() + ms;
  let ok = 0;
  let bad = 0;
  let i = from;
  while (performance.now() < end) {
    for (let k = 0; k < 32; k++) {
      if (check(triples[i]!)) ok++;
      else bad++;
      i = i + 1 === triples.length ? 0 : i + 1;
    }
  }
  return { ok, bad, at: i };
}

async function run(job: VerifyJob): Promise<WorkResult> {
  const ours = ourTriples(job.blocksFile);
  const triples = job.variant === 'ours' ? ours : sodiumTriples(ours.length);
  const check =
    job.variant === 'ours'
      ? (t: Triple): boolean => verify(t.signature, t.message, t.publicKey)
      : (t: Triple): boolean => sodium.crypto_sign_verify_detached(t.signature, t.message, t.publicKey);
  const warm = runFor(job.warmupMs, triples, check, 0);
  await sendAndFlush({ type: 'measuring' });
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const measured = runFor(job.durationMs, triples, check, warm.at);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const errors = measured.bad + warm.bad;
  return {
    type: 'work-result',
    ok: measured.ok,
    errors,
    ...(errors > 0 ? { firstError: `${errors} valid signatures did not verify` } : {}),
    elapsedMs,
    cpuMicros: cpu.user + cpu.system,
  };
}

exitWithParent(() => undefined, 5 * 60_000);
process.once('message', (job: VerifyJob) => {
  run(job)
    .then(async (result) => {
      await sendAndFlush(result);
      process.disconnect();
    })
    .catch(fail);
});
