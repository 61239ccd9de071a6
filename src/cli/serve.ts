import { access } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/problems.js';
import { configPathFrom, loadConfig, type RpcConfig } from '../config/load.js';
import { initDevPki } from '../pki/dev-pki.js';
import { startService, type RunningService } from '../service.js';

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
 * A fresh checkout has no certificates yet. When none of the server files named in [secure]
 * exist (and none come from the environment), a development PKI is made so `npm start` works
 * at once; a config that names some existing files and mistypes another gets the normal error.
 */
async function needsDevPki(config: RpcConfig): Promise<boolean> {
  const { secure } = config;
  if (!secure.enable || secure.serverCertPem !== undefined || secure.serverKeyPem !== undefined) return false;
  if (!secure.serverCertPath || !secure.serverKeyPath) return false;
  return !(await exists(secure.serverCertPath)) && !(await exists(secure.serverKeyPath));
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
  logger.info({ created }, 'created a development PKI (local CA, server and client certificates) because the [secure] files did not exist');
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
      io.out(`  Postman: client certificate ${relative(process.cwd(), result.client.p12Path)} (PFX; passphrase in ${relative(process.cwd(), result.client.p12PassPath)}), CA certificate ${ca}`);
    }
    io.out(`  npx --no nano-rpc call block_count --config ${relative(process.cwd(), config.file) || config.file}`);
    io.out('');
  };
}

export async function runServe(configFlag: string | undefined, logger: Logger, io: CliIo): Promise<number> {
  const configPath = configPathFrom(configFlag, process.env);
  let config: RpcConfig;
  let printHints: ((port: number, io: CliIo) => void) | undefined;
  try {
    config = await loadConfig(configPath, process.env);
    if (await needsDevPki(config)) printHints = await makeDevPki(config, logger);
  } catch (error) {
    return reportStartFailure(error, io);
  }

  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    return reportStartFailure(error, io);
  }
  printHints?.(service.address.port, io);
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    void service.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await service.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
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
