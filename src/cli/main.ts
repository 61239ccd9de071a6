#!/usr/bin/env node
import { createLogger } from '../log/logger.js';
import { suggest } from '../config/suggest.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../version.js';
import { parseCommand, stringFlag, UsageError } from './args.js';
import { CALL_SPEC, CALL_USAGE, runCall } from './call.js';
import { runCertsCommand } from './certs.js';
import { runPolicyCommand } from './policy.js';
import { runDev } from './dev.js';
import { runServe, type CliIo } from './serve.js';

const USAGE = `usage: nano-rpc <command> [options]
  serve [--config PATH]        run the RPC server (config: --config, else $NANO_RPC_CONFIG, else ./config-rpc.toml)
  certs <subcommand> ...       development PKI and client certificates (nano-rpc certs --help)
  call ACTION [key=value ...]  call the RPC and print the answer (nano-rpc call --help)
  policy check|explain ...     validate the per-client policy, explain a client's rule (nano-rpc policy --help)
  dev fund ACCOUNT AMOUNT      send from the public dev genesis key (nano-rpc dev --help)
  version, --version, -v       print the version
  help, --help, -h             this text; every command takes --help
examples:
  nano-rpc serve
  nano-rpc serve --config /etc/nano-rpc/config-rpc.toml
  nano-rpc call block_count
  nano-rpc certs client alice`;

const SERVE_USAGE = `usage: nano-rpc serve [--config PATH]
  Runs the RPC server. The config is --config, else $NANO_RPC_CONFIG, else ./config-rpc.toml; on the
  first start with the shipped config it makes a development PKI in tls/ and prints how to call it.
  Stops gracefully on SIGINT/SIGTERM.
examples:
  nano-rpc serve
  nano-rpc serve --config ./config-rpc.toml
  NANO_RPC_SERVER_KEY_PASSPHRASE=secret nano-rpc serve --config /etc/nano-rpc/config-rpc.toml`;

const SERVE_SPEC = { command: 'serve', strings: ['config'], positional: [0, 0] } as const;

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const args = parseCommand(rest, SERVE_SPEC);
      if (args.flags.has('help')) return help(SERVE_USAGE);
      return runServe(stringFlag(args, 'config'), createLogger({ pretty: process.stdout.isTTY === true }), io);
    }
    case 'certs':
      return runCertsCommand(rest, io);
    case 'call': {
      const args = parseCommand(rest, CALL_SPEC);
      if (args.flags.has('help')) return help(CALL_USAGE);
      return runCall(args, io);
    }
    case 'policy':
      return runPolicyCommand(rest, io);
    case 'dev':
      return runDev(rest, io);
    case 'version':
    case '--version':
    case '-v':
      parseCommand(rest, { command: command, positional: [0, 0] });
      io.out(`${PRODUCT_NAME} ${PRODUCT_VERSION}`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      if (command === undefined) {
        io.err(USAGE);
        return 2;
      }
      return help(USAGE);
    default: {
      const isOption = command.startsWith('-');
      const near = suggest(command.replace(/^-+/, ''), isOption ? ['version', 'help'] : COMMANDS);
      throw new UsageError(`unknown ${isOption ? 'option' : 'command'} "${command}"${near ? ` (did you mean "${isOption ? '--' : ''}${near}"?)` : ''}`);
    }
  }
}

const COMMANDS = ['serve', 'certs', 'call', 'policy', 'dev', 'version', 'help'];

function help(text: string): number {
  io.out(text);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err('usage: nano-rpc --help, or nano-rpc COMMAND --help');
      process.exitCode = 2;
    } else {
      io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    }
  },
);
