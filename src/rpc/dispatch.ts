import { Ajv, type ValidateFunction } from 'ajv';
import type { ActionContext, AnyActionSpec } from './action.js';
import type { RpcResult } from './encode.js';
import { exceedsJsonDepth } from './json-depth.js';
import { RpcError } from './errors.js';

export interface DispatcherOptions {
  readonly actions: Readonly<Record<string, AnyActionSpec>>;
  readonly controlActions: ReadonlySet<string>;
  readonly enableControl: boolean;
  readonly maxJsonDepth: number;
  readonly context: ActionContext;
}

export interface Dispatched {
  /** The action name when the body named one, for logs. */
  readonly action: string | undefined;
  readonly result: RpcResult;
}

interface CompiledAction {
  readonly spec: AnyActionSpec;
  readonly validate: ValidateFunction;
}

/**
 * Turns a request body into an answer, in the node's order of checks: depth, JSON, action,
 * control, parameters, handler. Throws RpcError for answers the client may see (synchronously,
 * or as the rejection of an asynchronous handler's promise); anything else thrown is a bug the
 * caller answers generically.
 */
export function createDispatcher(options: DispatcherOptions): (body: Buffer | undefined) => Dispatched | Promise<Dispatched> {
  // Compiled once at start: per-request work is a table lookup and a precompiled check.
  const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: true });
  const compiled = new Map<string, CompiledAction>();
  for (const [name, spec] of Object.entries(options.actions)) {
    compiled.set(name, { spec, validate: ajv.compile(spec.params) });
  }

  // Synchronous when the handler is: no promise and no extra turn of the event loop per request.
  // Refusals are thrown; a handler's promise is passed through (its rejection is the caller's).
  return function dispatch(body) {
    if (body === undefined || body.length === 0) throw new RpcError('unable_to_parse_json');
    if (exceedsJsonDepth(body, options.maxJsonDepth)) throw new RpcError('max_json_depth');

    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new RpcError('unable_to_parse_json', { cause });
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new RpcError('unable_to_parse_json');
    }
    const rawAction = (request as Record<string, unknown>).action;
    // The node reads `action` as text, so a number or boolean is a (probably unknown) name.
    if (typeof rawAction !== 'string' && typeof rawAction !== 'number' && typeof rawAction !== 'boolean') {
      throw new RpcError('unable_to_parse_json');
    }
    const action = String(rawAction);

    if (!options.enableControl && options.controlActions.has(action)) {
      throw new RpcError('control_disabled');
    }
    const entry = compiled.get(action);
    if (entry === undefined) throw new RpcError('unknown_command');
    if (!entry.validate(request)) throw new RpcError('unable_to_parse_json');
    const { spec } = entry;
    const needsControl = typeof spec.control === 'function' ? spec.control(request) : spec.control;
    if (needsControl && !options.enableControl) throw new RpcError('control_disabled');
    const result = spec.handler(request, options.context);
    if (isPromiseLike(result)) return Promise.resolve(result).then((settled) => ({ action, result: settled }));
    return { action, result };
  };
}

function isPromiseLike(value: RpcResult | PromiseLike<RpcResult>): value is PromiseLike<RpcResult> {
  return typeof (value as { then?: unknown }).then === 'function';
}
