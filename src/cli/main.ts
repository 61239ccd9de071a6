#!/usr/bin/env node
import { createLogger } from '../log/logger.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import { CALL_USAGE, runCall } from './call.js';
import { runCertsCommand } from './certs.js';
import { runPolicyCommand } from './policy.js';
import { runDev } from './dev.js';
import { runServe, type CliIo } from './serve.js';

const USAGE = `usage: nano-rpc <command> [options]
  serve [--config PATH]        run the RPC server (config: --config, else $NANO_RPC_CONFIG, else ./config-rpc.toml)
  certs <subcommand> ...       development PKI and client certificates (nano-rpc certs help)
  call ACTION [key=value ...]  call the RPC and print the answer (nano-rpc call --help)
  policy check|explain ...     validate the per-client policy, explain a client's rule (nano-rpc policy help)
  dev fund ACCOUNT AMOUNT      send from the public dev genesis key (nano-rpc dev --help)
  version                      print the version`;

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const args = parseArgs(rest, new Set());
      return runServe(stringFlag(args, 'config'), createLogger(), io);
    }
    case 'certs':
      return runCertsCommand(rest as string[], io);
    case 'policy':
      return runPolicyCommand(rest, io);
    case 'call':
      if (rest.includes('--help')) {
        io.out(CALL_USAGE);
        return 0;
      }
      return runCall(rest, io);
    case 'dev':
      return runDev(rest, io);
    case 'version':
    case '--version':
      io.out(`${PRODUCT_NAME} ${PRODUCT_VERSION}`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err(USAGE);
      process.exitCode = 2;
    } else {
      io.err(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
