import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket, SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { ClientIdentity } from '../rpc/http-app.js';
import type { ClientTrust, TrustSnapshot } from './client-trust.js';
import type { ServerMaterial } from './material.js';
import { allowPartialTrustChain, rawSocketOf } from './node-internals.js';
import { explainRefusal, type Refusal } from './refusal.js';

export interface SecureServerOptions {
  readonly material: ServerMaterial;
  /** Absent when client_certs_path is empty: TLS without client authentication. */
  readonly trust: ClientTrust | undefined;
  readonly verboseLogging: boolean;
  readonly logger: Logger;
  readonly keepAliveTimeoutMs: number;
}

interface OpenConnection {
  readonly identity: ClientIdentity;
  readonly leaf: import('node:crypto').X509Certificate;
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
  private readonly peers = new WeakMap<Socket, string>();

  constructor(private readonly options: SecureServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.material = options.material;
    const trust = options.trust?.current();
    this.server = createHttpsServer(
      {
        ...tlsContextOptions(this.material, trust),
        requestCert: options.trust !== undefined,
        // We refuse untrusted clients ourselves, right after the handshake and before any byte
        // is read, because only a live socket can tell us who was refused and why.
        rejectUnauthorized: false,
        keepAliveTimeout: options.keepAliveTimeoutMs,
      },
      handler,
    );
    if (trust) allowPartialTrustChain(this.server);
    this.server.on('connection', (socket: Socket) => {
      this.peers.set(socket, `${socket.remoteAddress}:${socket.remotePort}`);
    });
    this.server.prependListener('secureConnection', (socket: TLSSocket) => this.admit(socket));
    this.server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
      const raw = rawSocketOf(socket);
      options.logger.info({ peer: raw ? this.peers.get(raw) : undefined, code: error.code }, `TLS handshake failed: ${describeHandshakeError(error)}`);
    });
    options.trust?.onChange((snapshot) => this.applyTrust(snapshot));
  }

  identify(socket: Socket): ClientIdentity | undefined {
    return this.open.get(socket as TLSSocket)?.identity;
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
    for (const [socket, connection] of this.open) {
      const verdict = snapshot.judge(connection.leaf);
      if (verdict === 'trusted') continue;
      this.options.logger.warn({ peer: this.peerOf(socket), client: connection.identity, verdict }, 'closing an open connection: its client certificate is no longer trusted');
      socket.destroy();
    }
  }

  private swapContext(material: ServerMaterial, trust: TrustSnapshot | undefined): void {
    this.server.setSecureContext(tlsContextOptions(material, trust));
    if (trust) allowPartialTrustChain(this.server);
  }

  private admit(socket: TLSSocket): void {
    const trust = this.options.trust?.current();
    if (!trust) return;
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
    const identity: ClientIdentity = { commonName: commonNameOf(leaf!.subject), fingerprint256: leaf!.fingerprint256 };
    this.open.set(socket, { identity, leaf: leaf! });
    this.options.logger.debug({ peer: this.peerOf(socket), client: identity, resumed: socket.isSessionReused() }, 'TLS client accepted');
    socket.once('close', () => this.open.delete(socket));
  }

  private logRefusal(socket: TLSSocket, refusal: Refusal, leaf: import('node:crypto').X509Certificate | undefined): void {
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
    this.options.logger.warn({ peer: this.peerOf(socket), kind: refusal.kind, ...details }, `TLS client refused: ${refusal.reason}`);
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
    key: material.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    // Node's 'auto' picks a safe built-in group when no DH file is configured.
    dhparam: material.dhparam ?? 'auto',
    minVersion: 'TLSv1.2',
    // Never undefined: that would make OpenSSL trust Node's bundled public roots for clients.
    ...(trust ? { ca: trust.caPems } : {}),
  };
}

function commonNameOf(subject: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}

function describeHandshakeError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNRESET') return 'the client closed the connection during the handshake (does it trust the server certificate?)';
  return error.message.split('\n')[0] ?? String(error);
}
