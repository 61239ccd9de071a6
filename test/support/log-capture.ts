import { Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createLogger } from '../../src/log/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * A real pino logger whose lines are kept in memory, so tests can wait for the line that proves
 * an event happened (a revocation, a refused handshake) instead of sleeping.
 */
export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly logger: Logger;
  private readonly events = new EventEmitter();

  constructor() {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const text of chunk.toString('utf8').split('\n')) {
          if (!text) continue;
          const line = JSON.parse(text) as LogLine;
          this.lines.push(line);
          this.events.emit('line', line);
        }
        done();
      },
    });
    this.logger = createLogger({ destination: sink, level: 'debug' });
  }

  find(predicate: (line: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(predicate);
  }

  /** Resolves with the first line (already logged, or future) that matches. */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('line', listener);
        reject(new Error(`no matching log line within ${timeoutMs} ms; got:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      const listener = (line: LogLine): void => {
        if (!predicate(line)) return;
        clearTimeout(timer);
        this.events.off('line', listener);
        resolve(line);
      };
      this.events.on('line', listener);
    });
  }

  /** Lines logged after this call that match; for "logged exactly once" checks. */
  count(predicate: (line: LogLine) => boolean): number {
    return this.lines.filter(predicate).length;
  }
}
