import { Ajv, type ValidateFunction } from 'ajv';
import type { ActionContext, AnyActionSpec } from './action.js';
import type { RpcResult } from './encode.js';
import { quoteBareScalars, scanJsonBody, topLevelMemberCount } from './json-text.js';
import { RpcError } from './errors.js';
import { text } from './params.js';
import type { RequestContext } from './request-context.js';
import type { PolicyGate } from '../policy/gate.js';

export interface DispatcherOptions {
  readonly actions: Readonly<Record<string, AnyActionSpec>>;
  readonly controlActions: ReadonlySet<string>;
  readonly enableControl: boolean;
  readonly maxJsonDepth: number;
  readonly context: ActionContext;
  /** The per-client policy (src/policy/): allowed actions, limits, cache; runs the handler. */
  readonly gate?: PolicyGate;
  /**
   * Node mode: every request that passed the front checks goes here instead of the action
   * table (unknown actions too: the node answers them), with its raw bytes.
   */
  readonly forward?: Forward;
}

/** The node backend's step: the answer comes back as the node's bytes (`raw`), unparsed. */
export interface Forward {
  /** Control rules that depend on parameters (nano_rpc's `process`+`force`, `stats`+`objects`). */
  needsControl(action: string, request: Readonly<Record<string, unknown>>): boolean;
  /** Sends the request's bytes to a node: the node's answer bytes, or a rejection with an RpcError. */
  send(action: string, request: Readonly<Record<string, unknown>>, body: Buffer, context: RequestContext): Promise<Buffer>;
}

/**
 * The outcome of a request that named an action: its answer, or what the action (or a check of
 * its parameters or permission) threw. Failures before the action is known are thrown instead.
 */
export type Dispatched =
  | { readonly action: string; readonly result: RpcResult }
  | { readonly action: string; readonly failure: unknown }
  | { readonly action: string; readonly raw: Buffer };

interface CompiledAction {
  readonly spec: AnyActionSpec;
  readonly validate: ValidateFunction;
}

/**
 * Turns a request body into an answer, in the node's order of checks: depth, JSON, action,
 * control, parameters, handler. Refusals before an action is known are thrown (RpcError); once
 * it is known, failures come back as `failure` with the action, so logs can name it. An RpcError
 * is an answer the client may see; anything else is a bug the caller answers generically.
 */
export type Dispatch = (body: Buffer | undefined, request: RequestContext) => Dispatched | Promise<Dispatched>;

export function createDispatcher(options: DispatcherOptions): Dispatch {
  // Compiled once at start: per-request work is a table lookup and a precompiled check.
  const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: true });
  const compiled = new Map<string, CompiledAction>();
  for (const [name, spec] of Object.entries(options.actions)) {
    compiled.set(name, { spec, validate: ajv.compile(spec.params) });
  }

  // Synchronous when the handler is: no promise and no extra turn of the event loop per request.
  // An asynchronous handler's promise settles into a Dispatched as well: it never rejects.
  const { forward, gate } = options;
  return function dispatch(body, client) {
    if (body === undefined || body.length === 0) throw new RpcError('unable_to_parse_json');
    const shape = scanJsonBody(body, options.maxJsonDepth);
    if (shape === 'too_deep') throw new RpcError('max_json_depth');
    if (shape === 'too_many_values') throw new RpcError('too_many_values');

    let request: unknown;
    try {
      request = JSON.parse((shape === 'bare_scalars' ? quoteBareScalars(body) : body).toString('utf8'));
    } catch (cause) {
      throw new RpcError('unable_to_parse_json', { cause });
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new RpcError('unable_to_parse_json');
    }
    // The node reads `action` as text: absent is a parse error, anything else a (maybe unknown) name.
    const action = text((request as Record<string, unknown>).action);
    if (action === undefined) throw new RpcError('unable_to_parse_json');

    // A control action is named in the log (the list is fixed); an unknown name is the client's
    // text, of any length, and stays out of it.
    if (!options.enableControl && options.controlActions.has(action)) {
      gate?.controlRefused(action, client);
      return { action, failure: new RpcError('control_disabled') };
    }
    if (forward !== undefined) return forwardToNode(forward, action, request as Record<string, unknown>, body, client);
    const entry = compiled.get(action);
    if (entry === undefined) throw new RpcError('unknown_command');
    let result: RpcResult | PromiseLike<RpcResult>;
    try {
      if (!entry.validate(request)) throw new RpcError('unable_to_parse_json');
      const { spec } = entry;
      const needsControl = typeof spec.control === 'function' ? spec.control(request) : spec.control;
      if (needsControl && !options.enableControl) {
        gate?.controlRefused(action, client);
        throw new RpcError('control_disabled');
      }
      const call = (): RpcResult | PromiseLike<RpcResult> => spec.handler(request, options.context);
      result = gate ? gate.run(action, request as Record<string, unknown>, Boolean(needsControl), client, call) : call();
    } catch (failure) {
      return { action, failure };
    }
    return settle(action, result, (settled) => ({ action, result: settled }));
  };

  /**
   * Node mode's last step: the same control and policy checks as for the table, then the bytes
   * go to a node. A request the policy rewrote (a clamped `count`) or one with a key sent twice is
   * sent re-serialised; any other exactly as the client wrote it.
   */
  function forwardToNode(
    to: Forward,
    action: string,
    request: Record<string, unknown>,
    body: Buffer,
    client: RequestContext,
  ): Dispatched | Promise<Dispatched> {
    let answer: Buffer | PromiseLike<Buffer>;
    try {
      const needsControl = to.needsControl(action, request);
      if (needsControl && !options.enableControl) {
        gate?.controlRefused(action, client);
        throw new RpcError('control_disabled');
      }
      // A key sent twice: we checked its last value, the node would read its first. The node then
      // gets exactly what was checked, re-serialised (values keep their exact text as strings).
      const repeatedKey = topLevelMemberCount(body) !== Object.keys(request).length;
      const send = (rewritten: boolean): Promise<Buffer> =>
        to.send(action, request, rewritten || repeatedKey ? Buffer.from(JSON.stringify(request)) : body, client);
      answer = gate ? gate.run(action, request, needsControl, client, send) : send(false);
    } catch (failure) {
      return { action, failure };
    }
    return settle(action, answer, (raw) => ({ action, raw }));
  }
}

/** An answer (or its promise) as a Dispatched; a rejection becomes `failure`, so it never rejects. */
function settle<T>(action: string, answer: T | PromiseLike<T>, wrap: (value: T) => Dispatched): Dispatched | Promise<Dispatched> {
  if (isPromiseLike(answer)) {
    return Promise.resolve(answer).then(wrap, (failure: unknown): Dispatched => ({ action, failure }));
  }
  return wrap(answer);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
