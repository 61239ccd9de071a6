/** A server under test: where to connect, whose CPU to count, how to end it. */
export interface Contender {
  readonly name: 'ours' | 'minimal' | 'nginx';
  readonly host: string;
  readonly port: number;
  /** Every process whose CPU time is the server's cost (nginx: its master, workers and our upstream server). */
  cpuPids(): number[];
  stop(): Promise<void>;
}
