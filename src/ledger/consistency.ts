import { hashBlock } from './blocks/hash.js';
import type { Block } from './blocks/types.js';
import { toHex, ZERO32 } from './bytes.js';
import { decodeAccount, encodeAccount } from './crypto/account.js';
import { GENESIS_AMOUNT } from './genesis.js';
import type { BlockInfoResult, Ledger } from './ledger.js';

// A whole-ledger invariant check, for tests that must prove the store never holds a half-applied
// block (crash tests) and for diagnosing a suspect store. It reads only through the Ledger's query
// API, so it checks what clients can see. Two things that API cannot reach are therefore not
// checked: blocks stored but linked from no account chain (there is no "all blocks" scan; the
// block counter still catches one that was counted) and receivable entries for a destination that
// no stored send names (there is no "all pending" scan).

export interface ConsistencyReport {
  /** Empty when every invariant holds; otherwise one line per violation. */
  readonly problems: readonly string[];
  /** Blocks reached by walking every account chain. */
  readonly blocks: bigint;
  readonly accounts: bigint;
  /** Hashes (upper-case hex) of every block on an account chain. */
  readonly hashes: ReadonlySet<string>;
}

interface SendRecord {
  readonly from: string;
  readonly destination: string;
  readonly amount: bigint;
}

/** The representative a block sets, if it carries one. */
function representativeOf(block: Block): Buffer | undefined {
  return block.type === 'state' || block.type === 'open' || block.type === 'change' ? block.representative : undefined;
}

/** The send a receive/open consumes. */
function sourceOf(block: Block): Buffer | undefined {
  if (block.type === 'state') return block.link;
  if (block.type === 'open' || block.type === 'receive') return block.source;
  return undefined;
}

function previousOf(block: Block): Buffer {
  return block.type === 'open' ? ZERO32 : block.previous;
}

export function checkLedgerConsistency(ledger: Ledger): ConsistencyReport {
  const problems: string[] = [];
  const hashes = new Set<string>();
  const sends = new Map<string, SendRecord>();
  /** send hash → receiving account */
  const received = new Map<string, string>();
  const weights = new Map<string, bigint>();
  let totalBalance = 0n;
  let blockTotal = 0n;

  const accounts = ledger.frontiers(ZERO32, Number.MAX_SAFE_INTEGER);
  for (const { account, hash: frontier } of accounts) {
    const where = `account ${account}`;
    const publicKey = decodeAccount(account)?.publicKey;
    const info = publicKey === undefined ? undefined : ledger.accountInfo(publicKey);
    if (publicKey === undefined || info === undefined) {
      problems.push(`${where}: listed by frontiers but has no account info`);
      continue;
    }
    if (info.frontier !== frontier) problems.push(`${where}: frontier ${frontier} ≠ account info head ${info.frontier}`);

    // Newest → oldest; the walk stops silently at a missing block, which the checks below expose.
    const chain = ledger.chain(Buffer.from(info.frontier, 'hex'), {});
    const blocks: BlockInfoResult[] = [];
    for (const hash of chain) {
      const block = ledger.blockInfo(Buffer.from(hash, 'hex'));
      if (block === undefined) {
        problems.push(`${where}: chain names missing block ${hash}`);
        break;
      }
      blocks.push(block);
    }
    blocks.reverse();
    blockTotal += BigInt(blocks.length);
    if (BigInt(blocks.length) !== info.blockCount) {
      problems.push(`${where}: chain has ${blocks.length} blocks, account info says ${info.blockCount}`);
    }
    const first = blocks[0];
    if (first === undefined) continue;
    if (first.hash !== info.openBlock) problems.push(`${where}: chain starts at ${first.hash}, open block is ${info.openBlock}`);
    if (!previousOf(first.block).equals(ZERO32))
      problems.push(`${where}: chain ends at ${first.hash}, whose previous ${toHex(previousOf(first.block))} is missing`);

    let balance = 0n;
    let representative: Buffer | undefined;
    let representativeBlock: string | undefined;
    blocks.forEach((block, index) => {
      const at = `${where}: block ${block.hash}`;
      hashes.add(block.hash);
      if (toHex(hashBlock(block.block)) !== block.hash) problems.push(`${at}: stored under a hash its contents do not have`);
      if (block.account !== account) problems.push(`${at}: belongs to ${block.account}`);
      if (block.height !== BigInt(index + 1)) problems.push(`${at}: height ${block.height}, position ${index + 1}`);
      const successor = blocks[index + 1]?.hash ?? toHex(ZERO32);
      if (block.successor !== successor) problems.push(`${at}: successor ${block.successor}, expected ${successor}`);
      const rep = representativeOf(block.block);
      // Every state, open and change block names the representative (as the node's ledger.representative walks back to).
      if (rep !== undefined) {
        representative = rep;
        representativeBlock = block.hash;
      }

      switch (block.kind) {
        case 'send': {
          if (block.amount <= 0n || block.amount > balance) problems.push(`${at}: sends ${block.amount} from a balance of ${balance}`);
          balance -= block.amount;
          if (block.linkedAccount === undefined) problems.push(`${at}: send without a destination`);
          else sends.set(block.hash, { from: account, destination: block.linkedAccount, amount: block.amount });
          break;
        }
        case 'receive':
        case 'open': {
          balance += block.amount;
          if (block.hash === ledger.genesisHash) {
            if (block.amount !== GENESIS_AMOUNT) problems.push(`${at}: genesis amount ${block.amount}`);
            break;
          }
          const source = sourceOf(block.block);
          if (source === undefined) {
            problems.push(`${at}: a ${block.kind} without a source`);
            break;
          }
          const sourceHash = toHex(source);
          const earlier = received.get(sourceHash);
          if (earlier !== undefined) problems.push(`${at}: receives ${sourceHash}, already received by ${earlier}`);
          received.set(sourceHash, account);
          break;
        }
        case 'change':
        case 'epoch':
          if (block.amount !== 0n) problems.push(`${at}: a ${block.kind} block moving ${block.amount}`);
          break;
      }
      if (block.balance !== balance) problems.push(`${at}: stored balance ${block.balance}, blocks add up to ${balance}`);
    });

    if (info.balance !== balance) problems.push(`${where}: balance ${info.balance}, blocks add up to ${balance}`);
    if (representativeBlock !== info.representativeBlock) {
      problems.push(`${where}: representative block ${info.representativeBlock}, last block naming one is ${representativeBlock ?? 'none'}`);
    }
    const repAccount = representative === undefined ? undefined : encodeAccount(representative);
    if (repAccount !== info.representative) problems.push(`${where}: representative ${info.representative}, blocks say ${repAccount ?? 'none'}`);
    weights.set(info.representative, (weights.get(info.representative) ?? 0n) + info.balance);
    totalBalance += info.balance;
  }

  // Every receive consumed a send to its own account.
  for (const [sourceHash, receiver] of received) {
    const send = sends.get(sourceHash);
    if (send === undefined) problems.push(`account ${receiver}: receives ${sourceHash}, which is no stored send`);
    else if (send.destination !== receiver) problems.push(`account ${receiver}: receives ${sourceHash}, sent to ${send.destination}`);
  }

  // Receivable entries exist exactly for sends not yet received, at every account we can name.
  const destinations = new Set<string>(accounts.map((a) => a.account));
  for (const send of sends.values()) destinations.add(send.destination);
  let totalReceivable = 0n;
  for (const destination of destinations) {
    const publicKey = decodeAccount(destination)!.publicKey;
    const expected = new Map<string, SendRecord>();
    for (const [hash, send] of sends) if (send.destination === destination && !received.has(hash)) expected.set(hash, send);
    let receivableHere = 0n;
    for (const entry of ledger.receivable(publicKey)) {
      totalReceivable += entry.amount;
      receivableHere += entry.amount;
      const send = expected.get(entry.hash);
      if (send === undefined) {
        problems.push(`receivable ${entry.hash} for ${destination}: ${received.has(entry.hash) ? 'already received' : 'no such send to this account'}`);
        continue;
      }
      expected.delete(entry.hash);
      if (entry.amount !== send.amount) problems.push(`receivable ${entry.hash}: amount ${entry.amount}, the send moved ${send.amount}`);
      if (entry.source !== send.from) problems.push(`receivable ${entry.hash}: source ${entry.source}, the send is from ${send.from}`);
    }
    for (const hash of expected.keys()) problems.push(`send ${hash} to ${destination}: not received and no receivable entry`);
    const { receivable } = ledger.accountBalance(publicKey);
    if (receivable !== receivableHere) problems.push(`account ${destination}: receivable total ${receivable}, its entries sum to ${receivableHere}`);
  }

  // Weights: the stored table lists every representative with a non-zero weight.
  const stored = new Map(ledger.representatives().map((w) => [w.account, w.weight] as const));
  for (const [rep, weight] of weights) {
    if (weight !== 0n && stored.get(rep) !== weight) problems.push(`weight of ${rep}: stored ${stored.get(rep) ?? 0n}, delegated balances ${weight}`);
  }
  for (const [rep, weight] of stored) {
    if ((weights.get(rep) ?? 0n) === 0n) problems.push(`weight of ${rep}: stored ${weight}, no balance delegated`);
  }

  const counts = ledger.counts();
  if (counts.blocks !== blockTotal) problems.push(`block counter ${counts.blocks}, chains hold ${blockTotal}`);
  // Every block is cemented when applied.
  if (counts.cemented !== blockTotal) problems.push(`cemented counter ${counts.cemented}, chains hold ${blockTotal}`);
  if (counts.accounts !== BigInt(accounts.length)) problems.push(`account counter ${counts.accounts}, ${accounts.length} accounts stored`);
  if (counts.unchecked !== 0n) problems.push(`unchecked counter ${counts.unchecked}; nothing is ever left unchecked`);
  if (totalBalance + totalReceivable !== GENESIS_AMOUNT) {
    problems.push(`supply: balances ${totalBalance} + receivable ${totalReceivable} ≠ genesis ${GENESIS_AMOUNT}`);
  }

  return { problems, blocks: blockTotal, accounts: BigInt(accounts.length), hashes };
}
