import type { Block } from '../blocks/types.js';
import type { AccountInfo, PendingInfo, Sideband } from '../store/records.js';

/** Everything applying one valid block changes; written in one transaction by `applyEffect`. */
export interface Effect {
  readonly hash: Buffer;
  readonly block: Block;
  readonly sideband: Sideband;
  readonly account: Buffer;
  /** Undefined when the block opens the account. */
  readonly previousInfo: AccountInfo | undefined;
  readonly info: AccountInfo;
  /** Signed weight changes per representative. */
  readonly weightDeltas: readonly (readonly [Buffer, bigint])[];
  readonly pendingPut?: { readonly destination: Buffer; readonly entry: PendingInfo };
  readonly pendingDelete?: { readonly destination: Buffer; readonly sendHash: Buffer };
}
