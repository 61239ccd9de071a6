// Child process of crash.test.ts: applies pre-built blocks to a ledger until killed. It runs the
// BUILT ledger (dist/), because a plain node process cannot import TypeScript.
// Usage: node crash-child.mjs LEDGER_DIR BLOCKS_JSON
// BLOCKS_JSON: [{ "hash": "<HEX>", "json": { block JSON } }, ...] in an order valid to apply.
// Prints "start N" (N = blocks already present), then "applied N" after each commit.
import { readFileSync } from 'node:fs';

const dist = new URL('../../dist/src/ledger/', import.meta.url);
const { openLedger } = await import(new URL('ledger.js', dist).href);
const { parseBlockJson } = await import(new URL('blocks/json.js', dist).href);

const [ledgerDir, blocksFile] = process.argv.slice(2);
const items = JSON.parse(readFileSync(blocksFile, 'utf8')).map(({ hash, json }) => {
  const parsed = parseBlockJson(json);
  if (!parsed.ok) throw new Error(`block ${hash} does not parse (${parsed.field})`);
  return { hash, block: parsed.block };
});

const ledger = await openLedger({ path: ledgerDir });
// Blocks are applied in order, so what survived a crash is a prefix; continue after it.
let next = 0;
while (next < items.length && ledger.blockInfo(Buffer.from(items[next].hash, 'hex')) !== undefined) next++;
process.stdout.write(`start ${next}\n`);

// CRASH_TOLERATE_OLD=1: another process applies the same blocks (workers sharing one ledger), so
// a block it got to first is "old" here, which is fine.
const tolerateOld = process.env.CRASH_TOLERATE_OLD === '1';

function expectOk(result, index) {
  if (!result.ok && !(tolerateOld && result.code === 'old')) {
    process.stdout.write(`refused ${index} ${result.code}\n`);
    process.exit(2);
  }
}

// The three ways blocks reach the store, in random turns: one synchronous commit per block,
// a batch in one transaction, and the server's path (group commit of concurrent calls).
while (next < items.length) {
  const size = Math.min(items.length - next, 1 + Math.floor(Math.random() * 6));
  const chunk = items.slice(next, next + size);
  const mode = Math.floor(Math.random() * 3);
  if (mode === 0) {
    for (const item of chunk) {
      expectOk(ledger.process(item.block), next);
      next++;
      process.stdout.write(`applied ${next}\n`);
    }
  } else if (mode === 1) {
    ledger.processBatch(chunk.map((item) => ({ block: item.block }))).forEach((r, i) => expectOk(r, next + i));
    next += size;
    process.stdout.write(`applied ${next}\n`);
  } else {
    const results = await Promise.all(chunk.map((item) => ledger.processAsync(item.block)));
    results.forEach((r, i) => expectOk(r, next + i));
    next += size;
    process.stdout.write(`applied ${next}\n`);
  }
}
await ledger.close();
process.stdout.write('done\n');
