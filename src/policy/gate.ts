import type { Logger } from 'pino';
import type { Metrics, PolicyRefusalReason } from '../metrics/metrics.js';
import type { RpcResult } from '../rpc/encode.js';
import { RpcError, type RpcErrorCode } from '../rpc/errors.js';
import type { RequestContext } from '../rpc/request-context.js';
import { AnswerCache, canonicalRequest } from './answer-cache.js';
import { CACHEABLE_ACTIONS, CONTROL_ACTIONS } from './groups.js';
import { ruleAllows, type Policy, type Rule } from './policy.js';
import { TokenBucket } from './token-bucket.js';

/** What a gate passes through and may cache: an answer object, or a node's answer bytes (node mode). */
type Answer = RpcResult | Buffer;

/** Per client (certificate fingerprint; '' without client certificates): its bucket and requests in flight. */
interface ClientState {
  bucket: TokenBucket | undefined;
  inFlight: number;
}

/**
 * The per-client policy, applied where the dispatcher has checked the action and its parameters
 * and is about to call the handler (or backend): allowed actions and control, rate limit,
 * requests in flight, `count` limits, cached answers. Every refusal and every control action is
 * logged once with the client's identity (never the request body).
 */
export class PolicyGate {
  private readonly clients = new Map<string, ClientState>();
  private cache: AnswerCache;

  constructor(
    private policy: Policy,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new AnswerCache(policy.cache.maxEntries, policy.cache.maxBytes);
  }

  current(): Policy {
    return this.policy;
  }

  /** A new policy applies to the next request; buckets keep their tokens, cached answers go. */
  replace(policy: Policy): void {
    this.policy = policy;
    this.cache = new AnswerCache(policy.cache.maxEntries, policy.cache.maxBytes);
    for (const state of this.clients.values()) state.bucket = undefined;
  }

  /**
   * Runs `call` if the client's rule lets it, or throws the refusal (an RpcError). `call` is told
   * whether the gate rewrote the request (a clamped `count`), so a backend that forwards bytes
   * knows to re-serialise it.
   */
  run<T extends Answer>(
    action: string,
    request: Record<string, unknown>,
    needsControl: boolean,
    context: RequestContext,
    call: (rewritten: boolean) => T | PromiseLike<T>,
  ): T | PromiseLike<T> {
    const policy = this.policy;
    const rule = policy.anonymous ? policy.defaultRule : policy.choose(context.client(), () => context.certificate?.()).rule;
    const control = needsControl || CONTROL_ACTIONS.has(action);

    if (!ruleAllows(rule, action) || (needsControl && !rule.control)) {
      // A control action keeps the node's answer, as if enable_control were off for this client.
      this.refuse(control ? 'control' : 'not_allowed', action, rule, context);
      throw new RpcError(control ? 'control_disabled' : 'action_not_allowed');
    }

    const state = rule.rate === undefined && rule.inFlight === undefined ? undefined : this.stateOf(context);
    // Checked before the bucket, so a request refused for being one too many costs no tokens.
    if (state && rule.inFlight !== undefined && state.inFlight >= rule.inFlight) {
      this.refuse('in_flight', action, rule, context);
      throw new RpcError('too_many_in_flight', { http: { status: 429, headers: ['retry-after', '1'] } });
    }
    if (state && rule.rate !== undefined) {
      const now = this.now();
      state.bucket ??= new TokenBucket(rule.rate, rule.burst, now);
      state.bucket.retune(rule.rate, rule.burst);
      const cost = rule.weights.get(action) ?? 1;
      if (!state.bucket.take(cost, now)) {
        this.refuse('rate_limited', action, rule, context);
        throw new RpcError('rate_limited', { http: rateLimitHeaders(rule, state.bucket, cost) });
      }
    }

    const maxCount = rule.maxCount.get(action);
    const rewritten = maxCount !== undefined && clampCount(request, maxCount);

    const ttl = control || !CACHEABLE_ACTIONS.has(action) ? undefined : policy.cache.ttlMs.get(action);
    let key: string | undefined;
    if (ttl !== undefined) {
      key = canonicalRequest(request);
      const cached = this.cache.get(key, this.now());
      this.metrics.cacheLookup(action, cached !== undefined);
      // An action is answered by one backend for the service's life, so a hit has the type `call` gives.
      if (cached !== undefined) return cached as T;
    }

    if (state) state.inFlight++;
    const cache = this.cache;
    let answer: T | PromiseLike<T>;
    try {
      answer = call(rewritten);
    } catch (failure) {
      this.settled(state, control, action, rule, context, failure);
      throw failure;
    }
    if (isPromiseLike(answer)) {
      return Promise.resolve(answer).then(
        (result) => {
          this.settled(state, control, action, rule, context, undefined);
          if (key !== undefined) cache.set(key, result, ttl!, this.now());
          return result;
        },
        (failure: unknown) => {
          this.settled(state, control, action, rule, context, failure);
          throw failure;
        },
      );
    }
    this.settled(state, control, action, rule, context, undefined);
    if (key !== undefined) cache.set(key, answer, ttl!, this.now());
    return answer;
  }

  /** The audit line for a control action refused by enable_control itself, before any rule is looked at. */
  controlRefused(action: string, context: RequestContext): void {
    this.logger.info(
      { audit: 'control', client: context.client(), action, outcome: 'control_disabled' },
      `control action ${action}: control_disabled (enable_control is off)`,
    );
  }

  private settled(state: ClientState | undefined, control: boolean, action: string, rule: Rule, context: RequestContext, failure: unknown): void {
    if (state) state.inFlight--;
    if (!control) return;
    const outcome = failure === undefined ? 'ok' : failure instanceof RpcError ? failure.code : 'internal_error';
    this.logger.info({ audit: 'control', client: context.client(), action, rule: rule.name, outcome }, `control action ${action}: ${outcome}`);
  }

  private refuse(reason: PolicyRefusalReason, action: string, rule: Rule, context: RequestContext): void {
    this.metrics.policyRefused(reason, context);
    this.logger.info({ audit: 'policy', client: context.client(), action, rule: rule.name, outcome: reason }, `policy refused ${action}: ${reason}`);
  }

  private stateOf(context: RequestContext): ClientState {
    const key = context.client()?.fingerprint256 ?? '';
    let state = this.clients.get(key);
    if (state === undefined) {
      // Keys are trusted certificates (or ''), so the map stays as small as the trust directory;
      // idle entries are dropped when it grows past that anyway.
      if (this.clients.size >= 10_000) for (const [k, s] of this.clients) if (s.inFlight === 0) this.clients.delete(k);
      state = { bucket: undefined, inFlight: 0 };
      this.clients.set(key, state);
    }
    return state;
  }
}

/** `count` above the rule's maximum (or absent, which means "all") becomes the maximum, as NanoRPCProxy's limited_commands. */
function clampCount(request: Record<string, unknown>, max: number): boolean {
  const count = request.count;
  if (count === undefined || (typeof count === 'string' && /^\d+$/.test(count) && BigInt(count) > BigInt(max))) {
    request.count = String(max);
    return true;
  }
  return false;
}

function rateLimitHeaders(rule: Rule, bucket: TokenBucket, cost: number): { status: number; headers: string[] } {
  return {
    status: 429,
    headers: [
      'retry-after',
      String(Math.max(1, Math.ceil(bucket.secondsUntil(cost)))),
      'x-ratelimit-limit',
      String(rule.burst),
      'x-ratelimit-remaining',
      String(bucket.remaining()),
      'x-ratelimit-reset',
      String(Math.ceil(bucket.secondsUntilFull())),
    ],
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** The error codes the gate answers with, for tests and docs. */
export const POLICY_REFUSALS: readonly RpcErrorCode[] = ['action_not_allowed', 'control_disabled', 'rate_limited', 'too_many_in_flight'];
