import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket, SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { clientIdentityOf, type ClientIdentity } from '../identity/client-identity.js';
import type { ClientTrust, TrustSnapshot } from './client-trust.js';
import type { ServerMaterial } from './material.js';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection-gate.js';
import { allowPartialTrustChain, rawSocketOf } from './node-internals.js';
import { RefusalLog } from './refusal-log.js';
import { TLS_POLICY } from './tls-policy.js';
import { explainRefusal, type Refusal } from './refusal.js';

export interface SecureServerOptions {
  readonly material: ServerMaterial;
  /** Absent when client_certs_path is empty: TLS without client authentication. */
  readonly trust: ClientTrust | undefined;
  readonly verboseLogging: boolean;
  readonly logger: Logger;
  readonly keepAliveTimeoutMs: number;
  /** How often open connections are re-judged, so one whose client certificate has expired since its handshake is closed. */
  readonly expiryCheckMs: number;
  /** Handshake deadline and connection caps; DEFAULT_CONNECTION_LIMITS for what is not given. */
  readonly limits?: Partial<ConnectionLimits>;
  /** How often repeated refusals are summarised (default 5 s). */
  readonly refusalSummaryMs?: number;
  /** Told of every admitted client and every refusal (by kind), for metrics. */
  readonly onHandshake?: (outcome: string) => void;
}

/**
 * An admitted connection. Its certificate is read from OpenSSL only when someone needs it (a log
 * line, a trust change): reading it costs more than the rest of the admission (Node copies and
 * re-parses every certificate of the presented chain), and most connections never need it.
 */
interface OpenConnection {
  identity?: ClientIdentity;
  leaf?: X509Certificate;
}

/** What we note when a TCP connection arrives, before its handshake. */
interface Arrival {
  /** For handshake-failure logs: Node forgets the peer once a TLS socket is destroyed. */
  readonly peer: string;
  readonly address: string;
  /** The TLS context generation this connection's handshake runs with. */
  readonly generation: number;
}

/**
 * An https server that enforces the client trust directory on every connection and keeps
 * enforcing it: trust changes swap the TLS context (new session-ticket keys, so old sessions
 * can't resume) and close open connections whose certificate is no longer trusted; server
 * certificate renewals swap the context too, and a bad renewal leaves the old one in service.
 */
export class SecureServer {
  readonly server: HttpsServer;
  private material: ServerMaterial;
  private readonly open = new Map<TLSSocket, OpenConnection>();
  private readonly arrivals = new WeakMap<Socket, Arrival>();
  /** Bumped at every context swap; a handshake that began under an older context is re-checked in full. */
  private generation = 0;
  /** The trust snapshot the live TLS context verifies client chains against. */
  private contextTrust: TrustSnapshot | undefined;
  private readonly refusals: RefusalLog;
  private readonly gate: ConnectionGate;

  constructor(
    private readonly options: SecureServerOptions,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ) {
    this.material = options.material;
    const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    this.refusals = new RefusalLog({ logger: options.logger, ...(options.refusalSummaryMs !== undefined ? { summaryMs: options.refusalSummaryMs } : {}) });
    const trust = options.trust?.current();
    this.contextTrust = trust;
    this.server = createHttpsServer(
      {
        ...tlsContextOptions(this.material, trust),
        requestCert: options.trust !== undefined,
        // We refuse untrusted clients ourselves, right after the handshake and before any byte
        // is read, because only a live socket can tell us who was refused and why.
        rejectUnauthorized: false,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        handshakeTimeout: limits.handshakeTimeoutMs,
      },
      handler,
    );
    if (trust) allowPartialTrustChain(this.server);
    this.gate = new ConnectionGate(this.server, limits, this.refusals);
    this.server.on('connection', (socket: Socket) => {
      this.arrivals.set(socket, {
        peer: `${socket.remoteAddress}:${socket.remotePort}`,
        address: socket.remoteAddress ?? 'unknown',
        generation: this.generation,
      });
    });
    this.server.prependListener('secureConnection', (socket: TLSSocket) => {
      this.gate.settled(rawSocketOf(socket));
      this.admit(socket);
    });
    this.server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
      const raw = rawSocketOf(socket);
      const arrival = raw ? this.arrivals.get(raw) : undefined;
      this.refusals.refuse('info', arrival?.address ?? 'unknown', 'handshake_failed', `TLS handshake failed: ${describeHandshakeError(error)}`, {
        peer: arrival?.peer,
        code: error.code,
      });
      options.onHandshake?.('handshake_failed');
    });
    this.server.once('close', () => this.refusals.close());
    const clientTrust = options.trust;
    if (clientTrust) {
      // The trust list may outlive this server (the websocket's server shares it): stop listening at close.
      const unsubscribe = clientTrust.onChange((snapshot) => this.applyTrust(snapshot));
      this.server.once('close', unsubscribe);
      // A busy keep-alive connection never idles out, so expiry is checked on a timer too: from
      // 'listening' to 'close', so a server that never started leaves no timer behind.
      this.server.once('listening', () => {
        const expiryCheck = setInterval(() => this.closeNoLongerTrusted(clientTrust.current()), options.expiryCheckMs);
        expiryCheck.unref();
        this.server.once('close', () => clearInterval(expiryCheck));
      });
    }
  }

  identify(socket: Socket): ClientIdentity | undefined {
    const connection = this.open.get(socket as TLSSocket);
    return connection ? this.certificateOf(socket as TLSSocket, connection)?.identity : undefined;
  }

  /** The admitted client's leaf certificate (read once per connection, as for identify). */
  certificate(socket: Socket): X509Certificate | undefined {
    const connection = this.open.get(socket as TLSSocket);
    return connection ? this.certificateOf(socket as TLSSocket, connection)?.leaf : undefined;
  }

  /** The trust list in force, for certificate metrics. */
  trust(): TrustSnapshot | undefined {
    return this.options.trust?.current();
  }

  get serverCertificate(): X509Certificate {
    return this.material.leaf;
  }

  /** Puts renewed server material in service for new connections. */
  replaceMaterial(material: ServerMaterial): void {
    this.swapContext(material, this.options.trust?.current());
    this.material = material;
  }

  private applyTrust(snapshot: TrustSnapshot): void {
    try {
      this.swapContext(this.material, snapshot);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not apply the new client trust list to TLS; new connections are still checked against it');
    }
    this.closeNoLongerTrusted(snapshot);
  }

  /** Closes every open connection whose client certificate `snapshot` no longer accepts (revoked, expired). */
  private closeNoLongerTrusted(snapshot: TrustSnapshot): void {
    for (const [socket, connection] of this.open) {
      const known = this.certificateOf(socket, connection);
      // Fail closed: a connection whose certificate can't be read again is not kept open.
      const verdict = known ? snapshot.judge(known.leaf) : 'untrusted';
      if (verdict === 'trusted') continue;
      const why = verdict === 'expired' ? 'has expired' : 'is no longer trusted';
      this.options.logger.warn({ peer: this.peerOf(socket), client: known?.identity, verdict }, `closing an open connection: its client certificate ${why}`);
      socket.destroy();
    }
  }

  private swapContext(material: ServerMaterial, trust: TrustSnapshot | undefined): void {
    // Until the new context is fully in place, no handshake skips the re-check.
    this.contextTrust = undefined;
    // Fresh session-ticket keys on every swap, explicitly: tickets issued under the old trust list
    // must not resume (resumed sessions are also re-judged in `admit`, a second fence).
    this.server.setSecureContext({ ...tlsContextOptions(material, trust), ticketKeys: randomBytes(48) });
    if (trust) allowPartialTrustChain(this.server);
    this.contextTrust = trust;
    // Connections accepted before this point handshake under the previous context.
    this.generation++;
  }

  private admit(socket: TLSSocket): void {
    const trust = this.options.trust?.current();
    if (!trust) return;
    if (this.verifiedAgainst(socket, trust)) {
      this.accept(socket, {});
      return;
    }
    const leaf = socket.getPeerX509Certificate();
    let refusal: Refusal | undefined;
    if (!leaf || !socket.authorized) {
      refusal = explainRefusal(leaf, socket.authorizationError as unknown as string | undefined, trust);
    } else {
      const verdict = trust.judge(leaf);
      if (verdict !== 'trusted') refusal = explainRefusal(leaf, verdictToOpenSsl(verdict), trust);
    }
    if (refusal) {
      this.logRefusal(socket, refusal, leaf);
      socket.destroy();
      return;
    }
    this.accept(socket, { identity: clientIdentityOf(leaf!), leaf: leaf! });
  }

  /**
   * True when OpenSSL has just verified this client's chain, in a full handshake, against the
   * trust list that is current: the re-check (`TrustSnapshot.judge`) would only repeat it. The
   * re-check stays for resumed sessions (OpenSSL verified them under an older list, or not at
   * all) and for handshakes that began before a context swap.
   */
  private verifiedAgainst(socket: TLSSocket, trust: TrustSnapshot): boolean {
    if (!socket.authorized || this.contextTrust !== trust) return false;
    const raw = rawSocketOf(socket);
    if (!raw || this.arrivals.get(raw)?.generation !== this.generation) return false;
    return !socket.isSessionReused();
  }

  private accept(socket: TLSSocket, connection: OpenConnection): void {
    this.open.set(socket, connection);
    this.options.onHandshake?.('accepted');
    socket.once('close', () => this.open.delete(socket));
    if (this.options.logger.isLevelEnabled('debug')) {
      this.options.logger.debug(
        { peer: this.peerOf(socket), client: this.certificateOf(socket, connection)?.identity, resumed: socket.isSessionReused() },
        'TLS client accepted',
      );
    }
  }

  /**
   * The connection's certificate and identity, read from OpenSSL the first time they are asked
   * for. Read once only: Node hands out the presented chain on the first read alone.
   */
  private certificateOf(socket: TLSSocket, connection: OpenConnection): { identity: ClientIdentity; leaf: X509Certificate } | undefined {
    if (!connection.leaf || !connection.identity) {
      const leaf = socket.getPeerX509Certificate();
      if (!leaf) return undefined;
      connection.leaf = leaf;
      connection.identity = clientIdentityOf(leaf);
    }
    return { identity: connection.identity, leaf: connection.leaf };
  }

  private logRefusal(socket: TLSSocket, refusal: Refusal, leaf: X509Certificate | undefined): void {
    const details = this.options.verboseLogging
      ? {
          subject: leaf?.subject,
          issuer: leaf?.issuer,
          fingerprint256: leaf?.fingerprint256,
          protocol: socket.getProtocol(),
          cipher: socket.getCipher()?.name,
          resumed: socket.isSessionReused(),
        }
      : {};
    const client = leaf ? clientIdentityOf(leaf) : undefined;
    this.refusals.refuse(
      'warn',
      socket.remoteAddress ?? 'unknown',
      refusal.kind,
      `TLS client refused: ${refusal.reason}`,
      { peer: this.peerOf(socket), client, ...details },
      client?.fingerprint256,
    );
    this.options.onHandshake?.(refusal.kind);
  }

  private peerOf(socket: TLSSocket): string {
    return `${socket.remoteAddress}:${socket.remotePort}`;
  }
}

function verdictToOpenSsl(verdict: 'untrusted' | 'expired' | 'not_yet_valid'): string | undefined {
  if (verdict === 'expired') return 'CERT_HAS_EXPIRED';
  if (verdict === 'not_yet_valid') return 'CERT_NOT_YET_VALID';
  return undefined;
}

function tlsContextOptions(material: ServerMaterial, trust: TrustSnapshot | undefined): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key.export({ type: 'pkcs8', format: 'pem' }),
    // Node's 'auto' picks a safe built-in group when no DH file is configured.
    dhparam: material.dhparam ?? 'auto',
    ...TLS_POLICY,
    // Never undefined: that would make OpenSSL trust Node's bundled public roots for clients.
    ...(trust ? { ca: trust.caPems } : {}),
  };
}

function describeHandshakeError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNRESET') return 'the client closed the connection during the handshake (does it trust the server certificate?)';
  return error.message.split('\n')[0] ?? String(error);
}
