/**
 * Child entry: the real service (config file → TLS → Fastify → LMDB ledger), exactly as
 * `nano-rpc serve` runs it. argv: CONFIG_PATH. Reports {type:'listening', port} over IPC.
 */
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log/logger.js';
import { startService, type RunningService } from '../src/service.js';
import { exitWithParent, fail, send } from './child-ipc.js';

const HARD_LIMIT_MS = 15 * 60_000;

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: server-ours.js CONFIG_PATH');
  // Warnings and errors only, to stderr: the bench's output stays readable.
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const config = await loadConfig(configPath, {});
  let service: RunningService | undefined;
  exitWithParent(() => service?.stop(), HARD_LIMIT_MS);
  service = await startService(config, logger);
  const websocketPort = service.websocketUrl === undefined ? undefined : Number(new URL(service.websocketUrl).port);
  send({ type: 'listening', port: service.address.port, ...(websocketPort !== undefined ? { websocketPort } : {}) });
}

main().catch(fail);
