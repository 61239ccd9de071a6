import * as path from 'node:path';
import { ENV_CONFIG } from './env.js';

/** `--config PATH` wins over NANO_RPC_CONFIG, else `config-rpc.toml` in the current folder. */
export function configPathFrom(argvPath: string | undefined, env: NodeJS.ProcessEnv): string {
  if (argvPath !== undefined && argvPath !== '') return argvPath;
  const fromEnv = env[ENV_CONFIG];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return path.join('.', 'config-rpc.toml');
}
