import cluster from 'node:cluster';
import { access, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/problems.js';
import { configPathFrom, loadConfig, type RpcConfig } from '../config/load.js';
import { devPkiPaths, initDevPki } from '../pki/dev-pki.js';
import { startService, type RunningService } from '../service.js';
import { joinPrimary, runPrimary } from '../cluster/primary.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * A fresh checkout has no certificates yet: when nothing of a PKI exists (neither server file
 * named in [secure], no local CA, an empty or absent trust directory), a development PKI is made
 * so `npm start` works at once. Where anything of a PKI exists, missing server files are a
 * mistake (a mistyped folder, say) and the start fails naming them: a new CA and a new trusted
 * client must never appear in a trust directory on their own. One missing file of two gets the
 * normal error from loading the material.
 */
async function devPkiPlan(config: RpcConfig): Promise<'make' | 'none'> {
  const { secure } = config;
  if (!secure.enable || secure.serverCertPem !== undefined || secure.serverKeyPem !== undefined) return 'none';
  if (!secure.serverCertPath || !secure.serverKeyPath) return 'none';
  if ((await exists(secure.serverCertPath)) || (await exists(secure.serverKeyPath))) return 'none';
  const tlsDir = join(config.dir, 'tls');
  const { caDir, caCertPath, caKeyPath } = devPkiPaths(tlsDir);
  const clientsDir = secure.clientCertsPath || join(tlsDir, 'clients');
  const found: string[] = [];
  if ((await exists(caCertPath)) || (await exists(caKeyPath))) found.push(`a local CA in ${caDir}`);
  const trusted = await readdir(clientsDir).catch(() => []);
  if (trusted.length > 0) found.push(`the trust directory ${clientsDir} (${trusted.length} entr${trusted.length === 1 ? 'y' : 'ies'})`);
  if (found.length === 0) return 'make';
  throw new Error(
    `secure.server_cert_path ${secure.serverCertPath} and secure.server_key_path ${secure.serverKeyPath} do not exist, ` +
      `but a PKI is already here (${found.join(', ')}), so no development PKI is made: correct the paths in ${config.file}, ` +
      'or create the missing files on purpose with "nano-rpc certs init"',
  );
}

/** Makes the development PKI; returns what to print once the server listens (the real port goes in the URLs). */
async function makeDevPki(config: RpcConfig, logger: Logger): Promise<(port: number, io: CliIo) => void> {
  const { secure } = config;
  const tlsDir = join(config.dir, 'tls');
  const result = await initDevPki({
    tlsDir,
    serverCertPath: secure.serverCertPath,
    serverKeyPath: secure.serverKeyPath,
    serverKeyPassphrase: secure.serverKeyPassphrase,
    dhPath: secure.serverDhPath || join(tlsDir, 'dh2048.pem'),
    clientsDir: secure.clientCertsPath || join(tlsDir, 'clients'),
  });
  const created = result.files.filter((file) => file.created).map((file) => relative(process.cwd(), file.path));
  logger.warn(
    { created },
    'created a development PKI (local CA, server and client certificates, for development only) because nothing of a PKI existed at the [secure] paths',
  );
  for (const warning of result.warnings) logger.warn(warning);
  return (port, io) => {
    const ca = relative(process.cwd(), result.paths.caCertPath);
    const body = `-d '{"action":"block_count"}'`;
    const url = `https://localhost:${port}/`;
    io.out('');
    io.out('Development PKI ready. Try it:');
    if (result.client) {
      const single = relative(process.cwd(), result.client.pemPath);
      io.out(`  curl --cacert ${ca} --cert ${single} ${body} ${url}`);
      io.out(`  curl --insecure --cert ${single} ${body} ${url}`);
      io.out(
        `  Postman: client certificate ${relative(process.cwd(), result.client.p12Path)} (PFX; passphrase in ${relative(process.cwd(), result.client.p12PassPath)}), CA certificate ${ca}`,
      );
    }
    io.out(`  npx --no nano-rpc call block_count --config ${relative(process.cwd(), config.file) || config.file}`);
    io.out('');
  };
}

export async function runServe(configFlag: string | undefined, parentLogger: Logger, io: CliIo): Promise<number> {
  let logger = parentLogger;
  const configPath = configPathFrom(configFlag, process.env);
  let config: RpcConfig;
  let printHints: ((port: number, io: CliIo) => void) | undefined;
  try {
    config = await loadConfig(configPath, process.env);
    if ((await devPkiPlan(config)) === 'make') printHints = await makeDevPki(config, logger);
  } catch (error) {
    return reportStartFailure(error, io);
  }

  // [workers] count > 1: this process only forks and watches the workers (src/cluster).
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config.workers, logger, (port) => printHints?.(port, io));
  if (cluster.isWorker) logger = logger.child({ worker: cluster.worker?.id, pid: process.pid });

  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    // A worker's channel to the primary would keep it alive; the primary sees it exit unstarted.
    cluster.worker?.disconnect();
    return reportStartFailure(error, io);
  }
  if (cluster.isPrimary) printHints?.(service.address.port, io);
  const leave = cluster.isWorker ? joinPrimary(service.address.port, () => service.stop()) : undefined;
  let bySignal = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    bySignal = true;
    void service.stop();
  };
  // SIGHUP re-reads the policy file and the trust directory; the server keeps running.
  const onHangup = (): void => {
    logger.info({ signal: 'SIGHUP' }, 'signal received: reloading the policy and client certificates');
    service.reload().catch((error: unknown) => logger.error({ err: error }, 'reload after SIGHUP failed'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  await service.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onHangup);
  leave?.(!bySignal);
  return 0;
}

function reportStartFailure(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) io.err(`error: ${problem}`);
  } else {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  io.err('nano-rpc did not start.');
  return 1;
}
