import type { Logger } from 'pino';

export interface RefusalLogOptions {
  readonly logger: Logger;
  /** How often repeats are summarised (one line per peer address and reason with a count). */
  readonly summaryMs?: number;
  /** Full lines per peer address and window; past it, new reasons from that address are counted too. */
  readonly fullLinesPerAddress?: number;
}

interface Repeats {
  readonly level: 'info' | 'warn';
  readonly address: string;
  readonly kind: string;
  readonly message: string;
  count: number;
  /** Windows in a row without a repeat: after one, the key is forgotten and the next line is logged in full. */
  quiet: boolean;
}

/**
 * Refusal lines that a client can't flood: the first refusal of a peer address for a reason is
 * logged in full; repeats within a window are counted and written as one summary line per
 * window ("refused 657 more times in the last 5 s"). A new address or a new reason is always
 * logged in full at once.
 */
export class RefusalLog {
  private readonly repeats = new Map<string, Repeats>();
  private readonly summaryMs: number;
  private readonly fullLinesPerAddress: number;
  /** Full lines written per address in the current window. */
  private readonly fullLines = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RefusalLogOptions) {
    this.summaryMs = options.summaryMs ?? 5000;
    this.fullLinesPerAddress = options.fullLinesPerAddress ?? 20;
  }

  /**
   * @param address the peer's IP address (no port: every connection has a new one)
   * @param kind a short machine word (no_certificate, untrusted, plain_http, ...)
   * @param reason the words of the line; together with address and kind it decides what counts as a repeat
   * @param subject what else tells two refusals apart (the presented certificate's fingerprint)
   */
  refuse(level: 'info' | 'warn', address: string, kind: string, reason: string, fields: Record<string, unknown>, subject = ''): void {
    const key = `${address}\0${kind}\0${reason}\0${subject}`;
    const seen = this.repeats.get(key);
    if (seen) {
      seen.count++;
      seen.quiet = false;
      return;
    }
    this.timer ??= this.startTimer();
    const written = this.fullLines.get(address) ?? 0;
    if (written >= this.fullLinesPerAddress) {
      // A client that varies what it presents still can't write more than this many full lines.
      const overflowKey = `${address}\0(more)`;
      const overflow = this.repeats.get(overflowKey);
      if (overflow) {
        overflow.count++;
        overflow.quiet = false;
      } else {
        this.repeats.set(overflowKey, { level: 'warn', address, kind: 'various', message: 'connections refused for various reasons', count: 1, quiet: false });
      }
      return;
    }
    this.fullLines.set(address, written + 1);
    this.repeats.set(key, { level, address, kind, message: reason, count: 0, quiet: false });
    const { peer, ...rest } = fields;
    this.options.logger[level]({ peer, kind, ...rest }, reason);
  }

  /** Writes what is pending and stops the timer (server close). */
  close(): void {
    this.flush();
    this.repeats.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private startTimer(): NodeJS.Timeout {
    const timer = setInterval(() => this.flush(), this.summaryMs);
    timer.unref();
    return timer;
  }

  private flush(): void {
    this.fullLines.clear();
    const seconds = Math.round(this.summaryMs / 1000);
    for (const [key, entry] of this.repeats) {
      if (entry.count === 0) {
        // A whole window without a repeat: forget it, so a later refusal is logged in full.
        if (entry.quiet) this.repeats.delete(key);
        entry.quiet = true;
        continue;
      }
      this.options.logger[entry.level](
        { peer: entry.address, kind: entry.kind, repeated: entry.count, seconds },
        `${entry.message} (${entry.count} more time${entry.count === 1 ? '' : 's'} from ${entry.address} in the last ${seconds} s)`,
      );
      entry.count = 0;
    }
    if (this.repeats.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
