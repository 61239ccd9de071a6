import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; defaults to stdout (fd 1). Tests pass a stream to read what was logged. */
  readonly destination?: NodeJS.WritableStream;
  /**
   * Human-readable lines (local time, level, message, fields) instead of JSON: for a terminal.
   * `nano-rpc serve` turns it on when stdout is a TTY; pipes and files keep one JSON line per event.
   */
  readonly pretty?: boolean;
}

/**
 * One JSON line per event. Secrets never reach the logger in the first place (the config keeps
 * the passphrase out of every message); redaction is the second fence for anything that slips.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.pretty
    ? pinoPretty({
        destination: options.destination ?? 1,
        colorize: options.destination === undefined,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        ignore: 'pid,hostname',
        sync: true,
      })
    : (options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 0 }));
  return pino(
    {
      level: options.level ?? process.env.NANO_RPC_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['passphrase', '*.passphrase', 'serverKeyPassphrase', '*.serverKeyPassphrase'], censor: '[redacted]' },
    },
    destination,
  );
}
