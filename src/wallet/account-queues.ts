/**
 * One promise chain per account: a job runs after every earlier job of the same account, so each
 * block is built on the head the previous one left (the node has a single wallet action thread;
 * here only blocks of the same account wait for each other).
 */
export class AccountQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(account: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(account) ?? Promise.resolve();
    const result = previous.then(job, job);
    const settled = result.catch(() => undefined);
    this.tails.set(account, settled);
    void settled.then(() => {
      if (this.tails.get(account) === settled) this.tails.delete(account);
    });
    return result;
  }

  /** Settles once every job queued so far has. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
