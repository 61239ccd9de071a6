import { readdir, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ConnectionsConfig } from '../config/types.js';
import type { ConnectionLimits } from './connection-gate.js';

/**
 * Descriptors never given to connections: trust rescans (a directory and a file at a time),
 * certificate reloads, the ledger, the log and Node itself must never meet EMFILE because the
 * port took every descriptor.
 */
export const DESCRIPTOR_RESERVE = 64;

/** The process's soft descriptor limit and how many are open now, where the system says (Linux /proc). */
async function descriptorUse(): Promise<{ limit: number; open: number } | undefined> {
  try {
    const limits = await readFile('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
    if (!match || match[1] === 'unlimited') return undefined;
    const open = (await readdir('/proc/self/fd')).length;
    return { limit: Number(match[1]), open };
  } catch {
    return undefined;
  }
}

/**
 * The connection limits the TLS port runs with: the configured ones, with max_connections lowered
 * (and said so) when the descriptor limit could not hold that many plus the reserve.
 */
export async function connectionLimitsFor(config: ConnectionsConfig, logger: Logger): Promise<ConnectionLimits> {
  const use = await descriptorUse();
  let maxConnections = config.maxConnections;
  if (use) {
    const room = Math.max(1, use.limit - use.open - DESCRIPTOR_RESERVE);
    if (room < maxConnections) {
      logger.warn(
        { descriptorLimit: use.limit, open: use.open, reserve: DESCRIPTOR_RESERVE, configured: config.maxConnections, maxConnections: room },
        `connections.max_connections lowered from ${config.maxConnections} to ${room}: the descriptor limit is ${use.limit} (ulimit -n), ${use.open} are in use and ${DESCRIPTOR_RESERVE} are kept in reserve`,
      );
      maxConnections = room;
    }
  }
  return {
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    maxConnections,
    maxConnectionsPerAddress: Math.min(config.maxConnectionsPerAddress, maxConnections),
  };
}
