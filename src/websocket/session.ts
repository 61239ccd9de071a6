import { decodeAccount, encodeAccount } from '../ledger/crypto/account.js';
import type { ConfirmedBlock } from './confirmation-message.js';

/**
 * One websocket client's subscriptions, as the node's `websocket::session` handles them: subscribe
 * (re-subscribing replaces the options), unsubscribe, update (confirmation accounts_add/del), ping.
 * No error messages: an unknown action or topic, or a failed update, is ignored (no ack).
 */

const TOPICS = new Set(['confirmation', 'started_election', 'stopped_election', 'vote', 'work', 'bootstrap', 'telemetry', 'new_unconfirmed_block']);

export interface ConfirmationFilter {
  /** false for a subscription without an `options` key: everything passes. */
  readonly hasOptions: boolean;
  readonly includeBlock: boolean;
  readonly includeElectionInfo: boolean;
  /** Whether `active_quorum` (the only type this node emits) is among the selected types. */
  readonly typeSelected: boolean;
  readonly allLocalAccounts: boolean;
  /** undefined when no `accounts` option was given. */
  readonly accounts: Set<string> | undefined;
}

type Json = Record<string, unknown>;

function flag(value: unknown, fallback: boolean): boolean {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return fallback;
}

/** Valid accounts, normalised to `nano_`; invalid entries are skipped, as the node does. */
function accountSet(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      const decoded = typeof item === 'string' ? decodeAccount(item) : undefined;
      if (decoded !== undefined) into.add(encodeAccount(decoded.publicKey));
    }
  }
  return into;
}

export function confirmationFilter(options: unknown): ConfirmationFilter {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return { hasOptions: false, includeBlock: true, includeElectionInfo: false, typeSelected: true, allLocalAccounts: false, accounts: undefined };
  }
  const o = options as Json;
  const type = typeof o.confirmation_type === 'string' ? o.confirmation_type.toLowerCase() : 'all';
  return {
    hasOptions: true,
    includeBlock: flag(o.include_block, true),
    includeElectionInfo: flag(o.include_election_info, false) || flag(o.include_election_info_with_votes, false),
    typeSelected: type === 'all' || type === 'active' || type === 'active_quorum' || !['active_confirmation_height', 'inactive'].includes(type),
    allLocalAccounts: flag(o.all_local_accounts, false),
    accounts: o.accounts === undefined ? undefined : accountSet(o.accounts),
  };
}

/** The node's `should_filter`, inverted: does this confirmation go to this subscriber? */
export function passes(filter: ConfirmationFilter, confirmed: ConfirmedBlock, isLocal: (account: string) => boolean): boolean {
  if (!filter.hasOptions) return true;
  if (!filter.typeSelected) return false;
  if (filter.accounts === undefined && !filter.allLocalAccounts) return true;
  if (!filter.includeBlock || confirmed.linkAsAccount === undefined) return false;
  const link = confirmed.linkAsAccount;
  if (filter.accounts?.has(confirmed.account) || filter.accounts?.has(link)) return true;
  return filter.allLocalAccounts && (isLocal(confirmed.account) || isLocal(link));
}

export interface SessionReply {
  /** Text to send back (an ack), if any. */
  readonly reply?: string;
}

export class Session {
  readonly subscriptions = new Map<string, ConfirmationFilter | undefined>();

  /** Handles one client message (already parsed); answers the ack to send, if any. */
  handle(message: Json, now: number): string | undefined {
    const action = typeof message.action === 'string' ? message.action : '';
    const topic = typeof message.topic === 'string' ? message.topic : '';
    const id = typeof message.id === 'string' ? message.id : '';
    const ack = flag(message.ack, false);
    let done = false;
    switch (action) {
      case 'subscribe':
        if (TOPICS.has(topic)) {
          this.subscriptions.set(topic, topic === 'confirmation' ? confirmationFilter(message.options) : undefined);
          done = true;
        }
        break;
      case 'unsubscribe':
        if (TOPICS.has(topic)) {
          this.subscriptions.delete(topic);
          done = true;
        }
        break;
      case 'update': {
        const current = this.subscriptions.get(topic);
        const options = message.options;
        if (topic === 'confirmation' && current !== undefined && typeof options === 'object' && options !== null) {
          const o = options as Json;
          const accounts = new Set(current.accounts ?? []);
          accountSet(o.accounts_add, accounts);
          for (const removed of accountSet(o.accounts_del)) accounts.delete(removed);
          this.subscriptions.set(topic, { ...current, hasOptions: true, accounts });
          done = true;
        }
        break;
      }
      case 'ping':
        return ackText('pong', id, now);
    }
    return done && ack ? ackText(action, id, now) : undefined;
  }
}

function ackText(action: string, id: string, now: number): string {
  return JSON.stringify(id === '' ? { ack: action, time: String(now) } : { ack: action, time: String(now), id });
}
