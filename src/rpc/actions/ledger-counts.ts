import { defineAction, noParams } from '../action.js';

export const block_count = defineAction({
  params: noParams,
  control: false,
  handler: (_params, { ledger }) => {
    const counts = ledger.counts();
    return {
      count: String(counts.blocks),
      unchecked: String(counts.unchecked),
      cemented: String(counts.cemented),
    };
  },
});
