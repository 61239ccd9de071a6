import type { SchemaObject } from 'ajv';
import type { Ledger } from '../ledger/ledger.js';
import type { Wallets } from '../wallet/wallets.js';
import type { WorkPool } from '../work/work-pool.js';
import type { RpcResult } from './encode.js';

/** What a handler may use. Handlers get only this: no HTTP, no sockets, no store internals. */
export interface ActionContext {
  readonly ledger: Ledger;
  readonly node: NodeInfo;
  /** The node-managed wallets (wallet_*, account_create, send, receive, ...). */
  readonly wallets: Wallets;
  /** Proof of work off the event loop (work_generate, block_create, wallets). */
  readonly work: WorkPool;
  readonly settings: NodeSettings;
  /** Asks the server to shut down gracefully once the current answer has been sent. */
  requestStop(): void;
}

/** The node options (config-node.toml in the node) that change answers. */
export interface NodeSettings {
  /** `[rpc] enable_sign_hash`: `sign` accepts a bare hash. */
  readonly enableSignHash: boolean;
  /** `[node] max_work_generate_multiplier` (default 64): work_generate's upper limit, relative to base. */
  readonly maxWorkGenerateMultiplier: number;
}

export interface NodeInfo {
  readonly vendor: string;
  /** process.hrtime.bigint() at start, for `uptime`. */
  readonly startedAt: bigint;
}

/**
 * One RPC action: the shape of its parameters (checked before the handler runs; a mismatch is
 * the node's "Unable to parse JSON"), whether it needs `enable_control`, and the handler.
 */
export interface ActionSpec<P> {
  /**
   * JSON Schema of the request object. Nano clients send numbers and strings interchangeably,
   * so schemas check presence and coarse shape; handlers parse values into domain types.
   */
  readonly params: SchemaObject;
  /** true, or a predicate for actions that need control only with some parameters (process+force). */
  readonly control: boolean | ((params: P) => boolean);
  readonly handler: (params: P, context: ActionContext) => RpcResult | Promise<RpcResult>;
}

/** Erases the parameter type so specs of different actions can share one table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the erasure is the point: each entry checks its own P.
export type AnyActionSpec = ActionSpec<any>;

export function defineAction<P>(spec: ActionSpec<P>): ActionSpec<P> {
  return spec;
}

/** Parameters of an action that takes none besides `action` (extra fields are ignored, as the node does). */
export type NoParams = Record<string, unknown>;
export const noParams: SchemaObject = { type: 'object' };

/**
 * A params schema requiring these fields to be present: a missing one is the node's "Unable to
 * parse JSON". Values are parsed by the handler (src/rpc/params*.ts), so each is declared
 * without a type; declaring them keeps ajv's strict mode satisfied.
 */
export function requireFields(...names: string[]): SchemaObject {
  return { type: 'object', required: names, properties: Object.fromEntries(names.map((name) => [name, {}])) };
}
