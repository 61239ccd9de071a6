/**
 * A token bucket: `burst` tokens at most, refilled at `rate` per second. Time is read from the
 * caller, so the refill is computed on use (no timers) and tests can drive it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** A policy reload changes the figures; the tokens in hand stay, capped by the new burst. */
  retune(rate: number, burst: number): void {
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Takes `cost` tokens if there are enough; otherwise takes nothing. */
  take(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens -= cost;
    return true;
  }

  remaining(): number {
    return Math.max(0, Math.floor(this.tokens + 1e-9));
  }

  /** Seconds until `cost` tokens are there (a cost above the burst: until the bucket is full). */
  secondsUntil(cost: number): number {
    return Math.max(0, Math.min(cost, this.burst) - this.tokens) / this.rate;
  }

  secondsUntilFull(): number {
    return Math.max(0, this.burst - this.tokens) / this.rate;
  }

  private refill(now: number): void {
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
  }
}
