import { defineAction, requireFields } from '../action.js';
import { RpcError } from '../errors.js';
import { account, amount, blockHash, text } from '../params.js';
import { optionalHex64 } from '../params-blocks.js';
import { walletCall, walletCallSync, walletId } from '../params-wallet.js';

interface SendParams {
  readonly wallet?: unknown;
  readonly source?: unknown;
  readonly destination?: unknown;
  readonly amount?: unknown;
  readonly id?: unknown;
  readonly work?: unknown;
}

/**
 * The node's `send`: the request checks in its order (wallet, amount, source, destination, work),
 * then the wallet's (locked, not in wallet, unopened, work too low, balance). An `id` makes it
 * idempotent, also across restarts: a repeat answers the first block's hash and sends nothing.
 */
export const send = defineAction<SendParams>({
  params: requireFields('wallet', 'source', 'destination', 'amount'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    walletCallSync(() => wallets.check(id));
    const value = amount(params.amount);
    if (value === 0n) throw new RpcError('invalid_amount_number');
    const source = account(params.source, 'bad_source').publicKey;
    const destination = account(params.destination, 'bad_destination').publicKey;
    const work = optionalHex64(params.work, 'bad_work');
    const sendId = text(params.id);
    const hash = await walletCall(() =>
      wallets.send(id, { source, destination, amount: value, ...(sendId !== undefined ? { id: sendId } : {}), ...(work !== undefined ? { work } : {}) }),
    );
    return { block: hash };
  },
});

interface ReceiveParams {
  readonly wallet?: unknown;
  readonly account?: unknown;
  readonly block?: unknown;
  readonly work?: unknown;
}

export const receive = defineAction<ReceiveParams>({
  params: requireFields('wallet', 'account', 'block'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    walletCallSync(() => wallets.check(id));
    const publicKey = account(params.account).publicKey;
    const hash = blockHash(params.block);
    const work = optionalHex64(params.work, 'bad_work');
    return { block: await walletCall(() => wallets.receive(id, publicKey, hash, work)) };
  },
});
