import { randomBytes } from 'node:crypto';
import { flag, text } from '../rpc/params.js';

/**
 * nano_rpc's control rules that depend on parameters (rpc_handler.cpp): `process` with
 * `force` and `stats` with `type` = `objects` need `enable_control` like the control list.
 */
export function needsControlForParams(action: string, request: Readonly<Record<string, unknown>>): boolean {
  if (action === 'process') return flag(request.force);
  if (action === 'stats') return text(request.type) === 'objects';
  return false;
}

/**
 * nano_rpc adds a random 128-bit `id` (32 upper-case hex) to a `send` that has none, so a
 * resend can't pay twice. We add it to the raw bytes (right after the opening brace) rather
 * than re-serialising, so every other value reaches the node exactly as the client wrote it.
 */
export function withSendId(body: Buffer, request: Readonly<Record<string, unknown>>): Buffer {
  if (request.id !== undefined) return body;
  const brace = body.indexOf(0x7b); // '{' : the body parsed as an object, so the first one opens it
  const id = Buffer.from(`"id":"${randomBytes(16).toString('hex').toUpperCase()}",`);
  return Buffer.concat([body.subarray(0, brace + 1), id, body.subarray(brace + 1)]);
}
