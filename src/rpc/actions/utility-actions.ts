import type { AnyActionSpec } from '../action.js';
import { key_create, key_expand, validate_account_number } from './keys.js';
import { peers, telemetry } from './network.js';
import { nano_to_raw, raw_to_nano } from './units.js';

/** The utility actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const UTILITY_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {
  validate_account_number,
  key_create,
  key_expand,
  nano_to_raw,
  raw_to_nano,
  telemetry,
  peers,
};
