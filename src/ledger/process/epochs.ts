import type { Epoch } from '../blocks/types.js';
import { DEV_EPOCH_SIGNER } from '../genesis.js';

// Epoch links are ASCII "epoch vN block" zero-padded to 32 bytes (nano/secure/common.cpp).
function epochLink(text: string): Buffer {
  const out = Buffer.alloc(32);
  out.write(text, 'ascii');
  return out;
}

export const EPOCH_LINKS: ReadonlyMap<Epoch, Buffer> = new Map<Epoch, Buffer>([
  [1, epochLink('epoch v1 block')],
  [2, epochLink('epoch v2 block')],
]);

/** The epoch a link upgrades to, or undefined when the link is not an epoch link. */
export function epochOfLink(link: Buffer): Epoch | undefined {
  for (const [epoch, value] of EPOCH_LINKS) if (value.equals(link)) return epoch;
  return undefined;
}

/** On dev both epochs are signed by the genesis key. */
export function epochSigner(_epoch: Epoch): Buffer {
  return DEV_EPOCH_SIGNER;
}
