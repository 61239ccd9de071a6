/**
 * The one line `serve` logs once it listens: what it serves and from where, so an operator sees at a
 * glance the mode, the address, who may call it and which ledger answers. One function on purpose:
 * a new mode or part adds its facts here.
 */
export interface StartupFacts {
  /** What answers the RPC, e.g. "embedded ledger". */
  readonly mode: string;
  readonly url: string;
  /** The other loopback address also listened on (see listen/loopback-twin.ts). */
  readonly alsoOn?: string;
  readonly tls: boolean;
  /** The trust directory and how many client certificates it trusts; absent = no client certificates required. */
  readonly trust?: { readonly dir: string; readonly clients: number };
  /** The embedded ledger (embedded mode). */
  readonly ledger?: { readonly path: string; readonly blocks: bigint };
  /** The nodes requests are forwarded to (node mode). */
  readonly upstreams?: readonly string[];
}

export function startupSummary(facts: StartupFacts): { fields: Record<string, unknown>; msg: string } {
  const access = !facts.tls
    ? 'plain HTTP (no TLS)'
    : facts.trust
      ? `mutual TLS, ${facts.trust.clients} trusted client certificate${facts.trust.clients === 1 ? '' : 's'} in ${facts.trust.dir}`
      : 'TLS without client certificates (anyone who reaches the port may call)';
  const { ledger, upstreams } = facts;
  const answeredBy = ledger
    ? `ledger ${ledger.path} (${ledger.blocks} block${ledger.blocks === 1n ? '' : 's'})`
    : `forwarding to ${upstreams?.join(', ') ?? 'no node'}`;
  return {
    fields: {
      mode: facts.mode,
      url: facts.url,
      ...(facts.alsoOn ? { alsoOn: facts.alsoOn } : {}),
      tls: facts.tls,
      clientCertificates: facts.trust !== undefined,
      ...(facts.trust ? { trustDir: facts.trust.dir, trustedClients: facts.trust.clients } : {}),
      ...(ledger ? { ledgerPath: ledger.path, blocks: String(ledger.blocks) } : {}),
      ...(upstreams ? { upstreams } : {}),
    },
    msg: `serving the ${facts.mode} on ${facts.url}${facts.alsoOn ? ` (and ${facts.alsoOn})` : ''}: ${access}; ${answeredBy}`,
  };
}
