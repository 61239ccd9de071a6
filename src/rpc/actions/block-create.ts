import { hashBlock } from '../../ledger/blocks/hash.js';
import { blockToJson } from '../../ledger/blocks/json.js';
import { workRoot } from '../../ledger/blocks/root.js';
import type { Block, StateBlock } from '../../ledger/blocks/types.js';
import { isZero, toHex, ZERO32 } from '../../ledger/bytes.js';
import { decodeAccount } from '../../ledger/crypto/account.js';
import { derivePublicKey, sign as signHash } from '../../ledger/crypto/ed25519.js';
import { workValue } from '../../ledger/crypto/work.js';
import { WorkCancelled } from '../../work/work-pool.js';
import { defineAction, requireFields } from '../action.js';
import { blockContents } from '../block-view.js';
import type { ActionContext } from '../action.js';
import type { RpcResult } from '../encode.js';
import { RpcError } from '../errors.js';
import { account, amount, blockHash, flag, hex32, requiredText, text } from '../params.js';
import { optionalHex64, requestBlock } from '../params-blocks.js';
import { walletCallSync, walletId } from '../params-wallet.js';
import { difficultyFromLedger } from '../work-difficulty.js';
import { hex16 } from './work-generate.js';

interface BlockCreateParams {
  readonly type?: unknown;
  readonly key?: unknown;
  readonly wallet?: unknown;
  readonly account?: unknown;
  readonly previous?: unknown;
  readonly representative?: unknown;
  readonly balance?: unknown;
  readonly link?: unknown;
  readonly source?: unknown;
  readonly destination?: unknown;
  readonly amount?: unknown;
  readonly work?: unknown;
  readonly difficulty?: unknown;
  readonly version?: unknown;
  readonly json_block?: unknown;
}

/** `link`: an account, else up to 64 hex digits (the node's link decode). */
function linkValue(value: unknown): Buffer {
  const raw = requiredText(value);
  const decoded = decodeAccount(raw);
  if (decoded !== undefined) return Buffer.from(decoded.publicKey);
  return hex32(raw, 'bad_link_number');
}

const BLOCK_TYPES = new Set(['state', 'open', 'receive', 'change', 'send']);

/**
 * The node's `block_create`: state and legacy blocks, checks in the node's order (§5.1 of the
 * reference); `work` is generated at the ledger's threshold for the block when absent.
 */
export const block_create = defineAction<BlockCreateParams>({
  params: requireFields('type'),
  control: true,
  handler: async (params, context): Promise<RpcResult> => {
    const { ledger, wallets, work } = context;
    const type = requiredText(params.type);
    if (!BLOCK_TYPES.has(type)) throw new RpcError('invalid_block_type');
    const version = text(params.version);
    if (version !== undefined && version !== 'work_1') throw new RpcError('bad_work_version');
    const difficulty = optionalHex64(params.difficulty, 'bad_difficulty');
    const wallet = params.wallet === undefined ? undefined : walletId(params.wallet);
    const accountKey = params.account === undefined ? undefined : account(params.account).publicKey;
    const representative = params.representative === undefined ? undefined : account(params.representative, 'bad_representative_number').publicKey;
    const destination = params.destination === undefined ? undefined : account(params.destination, 'bad_destination').publicKey;
    const source = params.source === undefined ? undefined : hex32(requiredText(params.source), 'bad_source');
    const amountValue = params.amount === undefined ? undefined : amount(params.amount);
    const givenWork = optionalHex64(params.work, 'bad_work');

    let privateKey: Buffer | undefined;
    let previous: Buffer | undefined;
    let balance: bigint | undefined;
    if (wallet !== undefined && accountKey !== undefined) {
      privateKey = walletCallSync(() => {
        wallets.check(wallet);
        return wallets.privateKey(wallet, accountKey);
      });
      const info = ledger.accountInfo(accountKey);
      previous = info === undefined ? ZERO32 : Buffer.from(info.frontier, 'hex');
      balance = info?.balance ?? 0n;
    }
    if (params.key !== undefined) privateKey = hex32(requiredText(params.key), 'bad_private_key');
    if (params.previous !== undefined) previous = hex32(requiredText(params.previous), 'bad_previous');
    if (params.balance !== undefined) balance = amount(params.balance, 'invalid_balance_number');
    let link = params.link === undefined ? undefined : linkValue(params.link);
    if (link === undefined) link = source !== undefined && !isZero(source) ? source : destination;
    if (privateKey === undefined) throw new RpcError('key_or_wallet_required');
    const publicKey = derivePublicKey(privateKey);
    if (accountKey !== undefined && !accountKey.equals(publicKey)) throw new RpcError('incorrect_key');
    if (params.key !== undefined && params.previous === undefined && params.balance === undefined) {
      const info = ledger.accountInfo(publicKey);
      previous = info === undefined ? ZERO32 : Buffer.from(info.frontier, 'hex');
      balance = info?.balance ?? 0n;
    }
    const unsigned = unsignedBlock(type, {
      publicKey,
      previous,
      previousGiven: params.previous !== undefined,
      representative,
      balance,
      link,
      linkGiven: params.link !== undefined,
      source,
      destination,
      amount: amountValue,
      previousBalance: (hash) => ledger.blockInfo(hash)?.balance,
    });
    const signed: Block = { ...unsigned, signature: signHash(privateKey, hashBlock(unsigned)) };
    let blockWork = givenWork;
    if (blockWork === undefined) {
      const target = difficulty ?? difficultyFromLedger(ledger, signed);
      blockWork = await generate(work, workRoot(signed), target);
    }
    const block: Block = { ...signed, work: blockWork };
    return {
      hash: toHex(hashBlock(block)),
      difficulty: hex16(workValue(block.work, workRoot(block))),
      block: blockContents(blockToJson(block), flag(params.json_block)),
    };
  },
});

interface BlockFields {
  readonly publicKey: Buffer;
  readonly previous: Buffer | undefined;
  /** `previous` was in the request (a state block needs it there, "0" for an open). */
  readonly previousGiven: boolean;
  readonly representative: Buffer | undefined;
  readonly balance: bigint | undefined;
  readonly link: Buffer | undefined;
  readonly linkGiven: boolean;
  readonly source: Buffer | undefined;
  readonly destination: Buffer | undefined;
  readonly amount: bigint | undefined;
  readonly previousBalance: (hash: Buffer) => bigint | undefined;
}

const given = (value: Buffer | undefined): value is Buffer => value !== undefined && !isZero(value);

/** The block to sign (zero signature and work), with the node's requirement texts per type. */
function unsignedBlock(type: string, f: BlockFields): Block {
  const blank = { signature: Buffer.alloc(64), work: 0n };
  switch (type) {
    case 'state':
      if (!f.previousGiven || !given(f.representative) || (!given(f.link) && !f.linkGiven)) throw new RpcError('state_fields_required');
      return {
        type: 'state',
        account: f.publicKey,
        previous: f.previous ?? ZERO32,
        representative: f.representative,
        balance: f.balance ?? 0n,
        link: f.link ?? ZERO32,
        ...blank,
      } satisfies StateBlock;
    case 'open':
      if (!given(f.representative) || !given(f.source)) throw new RpcError('open_fields_required');
      return { type: 'open', source: f.source, representative: f.representative, account: f.publicKey, ...blank };
    case 'receive':
      if (!given(f.previous) || !given(f.source)) throw new RpcError('receive_fields_required');
      return { type: 'receive', previous: f.previous, source: f.source, ...blank };
    case 'change':
      if (!given(f.representative) || !given(f.previous)) throw new RpcError('change_fields_required');
      return { type: 'change', previous: f.previous, representative: f.representative, ...blank };
    default: {
      if (!given(f.destination) || !given(f.previous) || f.balance === undefined || f.amount === undefined) throw new RpcError('send_fields_required');
      const ledgerBalance = f.previousBalance(f.previous);
      if (ledgerBalance !== undefined && ledgerBalance !== f.balance) throw new RpcError('balance_mismatch_previous');
      if (f.amount > f.balance) throw new RpcError('insufficient_balance');
      return { type: 'send', previous: f.previous, destination: f.destination, balance: f.balance - f.amount, ...blank };
    }
  }
}

async function generate(work: ActionContext['work'], root: Buffer, difficulty: bigint): Promise<bigint> {
  try {
    return await work.generate(root, difficulty);
  } catch (error) {
    if (error instanceof WorkCancelled) throw new RpcError('work_failure', { cause: error });
    throw error;
  }
}

interface SignParams {
  readonly hash?: unknown;
  readonly block?: unknown;
  readonly json_block?: unknown;
  readonly key?: unknown;
  readonly wallet?: unknown;
  readonly account?: unknown;
}

/**
 * The node's `sign`: a block (its hash is signed; the account is not checked against the key) or,
 * with `enable_sign_hash`, a bare hash. A wallet lookup that fails leaves no key, so it answers
 * "Private key or local wallet and account required", as the node does.
 */
export const sign = defineAction<SignParams>({
  params: { type: 'object' },
  control: false,
  handler: (params, { wallets, settings }): RpcResult => {
    let privateKey: Buffer | undefined;
    if (params.key !== undefined) privateKey = hex32(requiredText(params.key), 'bad_private_key');
    else if (params.wallet !== undefined && params.account !== undefined) {
      const id = walletId(params.wallet);
      const publicKey = account(params.account).publicKey;
      try {
        privateKey = wallets.privateKey(id, publicKey);
      } catch {
        privateKey = undefined;
      }
    }
    let block: Block | undefined;
    let hash: Buffer | undefined;
    if (params.block !== undefined) {
      block = requestBlock({ block: params.block, json_block: params.json_block });
      hash = hashBlock(block);
    } else if (params.hash !== undefined) {
      hash = blockHash(params.hash);
    }
    if (hash === undefined) throw new RpcError('block_invalid');
    if (privateKey === undefined) throw new RpcError('key_or_wallet_required');
    if (block === undefined && !settings.enableSignHash) throw new RpcError('sign_hash_disabled');
    const signature = signHash(privateKey, hash);
    if (block === undefined) return { signature: toHex(signature) };
    return { signature: toHex(signature), block: blockContents(blockToJson({ ...block, signature }), flag(params.json_block)) };
  },
});
