import { Ajv, type ValidateFunction } from 'ajv';
import type { ActionContext, AnyActionSpec } from './action.js';
import type { RpcResult } from './encode.js';
import { quoteBareScalars, scanJsonBody } from './json-text.js';
import { RpcError } from './errors.js';
import { text } from './params.js';
import type { RequestContext } from './request-context.js';

export interface DispatcherOptions {
  readonly actions: Readonly<Record<string, AnyActionSpec>>;
  readonly controlActions: ReadonlySet<string>;
  readonly enableControl: boolean;
  readonly maxJsonDepth: number;
  readonly context: ActionContext;
}

/**
 * The outcome of a request that named an action: its answer, or what the action (or a check of
 * its parameters or permission) threw. Failures before the action is known are thrown instead.
 */
export type Dispatched =
  | { readonly action: string; readonly result: RpcResult }
  | { readonly action: string; readonly failure: unknown };

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
  return function dispatch(body, _request) {
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
      return { action, failure: new RpcError('control_disabled') };
    }
    const entry = compiled.get(action);
    if (entry === undefined) throw new RpcError('unknown_command');
    let result: RpcResult | PromiseLike<RpcResult>;
    try {
      if (!entry.validate(request)) throw new RpcError('unable_to_parse_json');
      const { spec } = entry;
      const needsControl = typeof spec.control === 'function' ? spec.control(request) : spec.control;
      if (needsControl && !options.enableControl) throw new RpcError('control_disabled');
      result = spec.handler(request, options.context);
    } catch (failure) {
      return { action, failure };
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (settled): Dispatched => ({ action, result: settled }),
        (failure: unknown): Dispatched => ({ action, failure }),
      );
    }
    return { action, result };
  };
}

function isPromiseLike(value: RpcResult | PromiseLike<RpcResult>): value is PromiseLike<RpcResult> {
  return typeof (value as { then?: unknown }).then === 'function';
}
