// Child process of send-crash.test.ts: wallet sends with ids 0..COUNT-1 from the dev genesis, until
// killed. Every run sends every id again from the start, as a client retrying after a crash would:
// a repeat must answer the first block, never send twice. It runs the BUILT code (dist/).
// Usage: node send-crash-child.mjs DATA_DIR COUNT DESTINATION_HEX
// Prints "answered ID HASH" for each answered send, then "done".
import pino from 'pino';

const dist = new URL('../../dist/src/', import.meta.url);
const { openLedger } = await import(new URL('ledger/ledger.js', dist).href);
const { Wallets } = await import(new URL('wallet/wallets.js', dist).href);
const { createWorkPool } = await import(new URL('work/work-pool.js', dist).href);

const GENESIS_SECRET = Buffer.from('34F0A37AAD20F4A260F0A5B3CB3D7FB50673212263E58A380BC10474BB039CE4', 'hex');
const GENESIS_PUBLIC = Buffer.from('B0311EA55708D6A53C75CDBF88300259C6D018522FE3D4D0A242E431F9E8B6D0', 'hex');
const [dataDir, countText, destinationHex] = process.argv.slice(2);
const count = Number(countText);
const destination = Buffer.from(destinationHex, 'hex');

const ledger = await openLedger({ path: dataDir });
const work = createWorkPool(1);
// Light Argon2id parameters: the test is about crashes, not the KDF.
const wallets = await Wallets.open({ path: `${dataDir}/wallets`, ledger, work, logger: pino({ level: 'silent' }), kdf: { ops: 1, mem: 8192 } });
let wallet = wallets.ids().find((id) => wallets.contains(id, GENESIS_PUBLIC));
if (wallet === undefined) {
  wallet = (await wallets.create()).id;
  await wallets.addKey(wallet, GENESIS_SECRET);
}
process.stdout.write('start\n');

for (let next = 0; next < count;) {
  const size = Math.min(count - next, 1 + Math.floor(Math.random() * 5));
  const ids = Array.from({ length: size }, (_, i) => next + i);
  const hashes = await Promise.all(ids.map((id) => wallets.send(wallet, { source: GENESIS_PUBLIC, destination, amount: 1n, id: `send-${id}` })));
  ids.forEach((id, i) => process.stdout.write(`answered ${id} ${hashes[i]}\n`));
  next += size;
}
await wallets.close();
await work.close();
await ledger.close();
process.stdout.write('done\n');
