import { defineAction, noParams } from '../action.js';

/** Matches the node's `version` fields; store and protocol numbers are those of the node we mirror. */
export const version = defineAction({
  params: noParams,
  control: false,
  handler: (_params, { ledger, node }) => ({
    rpc_version: '1',
    store_version: ledger.storeVersion,
    protocol_version: '21',
    node_vendor: node.vendor,
    store_vendor: ledger.storeVendor,
    network: ledger.network,
    network_identifier: ledger.genesisHash,
    build_info: `${node.vendor} on Node.js ${process.version}`,
  }),
});

export const uptime = defineAction({
  params: noParams,
  control: false,
  handler: (_params, { node }) => ({
    seconds: String((process.hrtime.bigint() - node.startedAt) / 1_000_000_000n),
  }),
});

export const stop = defineAction({
  params: noParams,
  control: true,
  handler: (_params, { requestStop }) => {
    requestStop();
    return { success: '' };
  },
});
