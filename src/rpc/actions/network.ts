import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { encodeAccount } from '../../ledger/crypto/account.js';
import { derivePublicKey } from '../../ledger/crypto/ed25519.js';
import { DEV_WORK_THRESHOLDS } from '../../ledger/crypto/work.js';
import { PRODUCT_VERSION } from '../../version.js';
import { defineAction, noParams, type ActionContext } from '../action.js';
import type { RpcResult } from '../encode.js';
import { RpcError } from '../errors.js';
import { flag, text } from '../params.js';

// This server has no peering network: it is a single node with no peers. Network actions answer
// what such a node would: empty peer lists, and telemetry about itself only.

/**
 * The node signs telemetry with its node key. We have no peering identity to keep, so a key is drawn
 * once per process and held in memory only: the node_id is stable while the server runs and changes
 * on restart. Telemetry is not signed (the signature is 128 zeros): nobody can verify it against a
 * handshake anyway, since there is no peering handshake.
 */
const NODE_ID = 'node_' + encodeAccount(derivePublicKey(randomBytes(32))).slice('nano_'.length);
const UNSIGNED = '0'.repeat(128);

/** The dev network's default peering port: the one endpoint a client could name as "this node". */
const OWN_PEERING_PORT = 44000;

const [major = '0', minor = '0', patch = '0'] = PRODUCT_VERSION.split(/[.+-]/, 3).map((part) => String(Number.parseInt(part, 10) || 0));
// A pre-release version ("1.2.0-rc.3") reports its last number, as the node's pre_release_version.
const preRelease = /-.*?(\d+)\D*$/.exec(PRODUCT_VERSION)?.[1] ?? '0';

/** telemetry_data::serialize_json field order (nano/node/messages.cpp at HEAD). */
function ownTelemetry({ ledger, node }: ActionContext): RpcResult {
  const counts = ledger.counts();
  return {
    block_count: String(counts.blocks),
    cemented_count: String(counts.cemented),
    unchecked_count: String(counts.unchecked),
    account_count: String(counts.accounts),
    bandwidth_cap: '0',
    peer_count: '0',
    protocol_version: '21',
    uptime: String((process.hrtime.bigint() - node.startedAt) / 1_000_000_000n),
    genesis_block: ledger.genesisHash,
    major_version: major,
    minor_version: minor,
    patch_version: patch,
    pre_release_version: preRelease,
    // 0 is the node's own maker id; the enum defines no value for other implementations.
    maker: '0',
    timestamp: String(Date.now()),
    active_difficulty: DEV_WORK_THRESHOLDS.base.toString(16).padStart(16, '0'),
    node_id: NODE_ID,
    signature: UNSIGNED,
  };
}

/** nano::parse_port: lexical_cast<uint16_t>. */
function port(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new RpcError('invalid_port');
  return Number(value);
}

/** boost::asio address::is_loopback: 127.0.0.0/8 or ::1 (a v4-mapped address is not loopback there). */
function isLoopback(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

/** nano::parse_address: square brackets around the whole text are chopped off before parsing. */
function parseAddress(text: string): string {
  return text.length >= 2 && text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

interface TelemetryParams {
  address?: unknown;
  port?: unknown;
  raw?: unknown;
}

/**
 * The node since V27 answers its own telemetry by default. `raw` lists what peers reported, so
 * with no peers it is {"metrics": ""}. `address`+`port` names a peer: ours is the loopback
 * address with the dev peering port (as the node answers for its own endpoint); any other
 * well-formed endpoint is "Peer not found".
 */
export const telemetry = defineAction<TelemetryParams>({
  params: noParams,
  control: false,
  handler: (params, context) => {
    const addressText = text(params.address);
    const portText = text(params.port);
    if (addressText !== undefined || portText !== undefined) {
      if (addressText === undefined || portText === undefined) throw new RpcError('both_port_and_address_required');
      const peerPort = port(portText);
      const address = parseAddress(addressText);
      if (isIP(address) === 0) throw new RpcError('invalid_ip_address');
      if (isLoopback(address) && peerPort === OWN_PEERING_PORT) return ownTelemetry(context);
      throw new RpcError('peer_not_found');
    }
    if (flag(params.raw)) return { metrics: [] };
    return ownTelemetry(context);
  },
});

/** No peers: {"peers": ""}, with or without peer_details (which is still read, as the node does). */
export const peers = defineAction<{ peer_details?: unknown }>({
  params: noParams,
  control: false,
  handler: (params) => {
    flag(params.peer_details);
    return { peers: {} };
  },
});
