import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyType } from '../src/pki/keys.js';
import type { Contender } from './contender.js';
import { childPids } from './cpu.js';
import { freePort, waitForPort } from './free-port.js';
import { NGINX } from './nginx-install.js';
import type { BenchPki } from './pki.js';
import { isAlive, spawnTracked, stopChild, trackPid, untrackPid, type Pin } from './procs.js';

export interface NginxOptions {
  readonly dir: string;
  readonly pki: BenchPki;
  readonly keyType: KeyType;
  /** Our plain-HTTP server on 127.0.0.1. */
  readonly upstreamPort: number;
  readonly pin: Pin;
}

function nginxConf(dir: string, port: number, upstreamPort: number): string {
  return `worker_processes 1;
error_log ${join(dir, 'error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'tmp', 'body')};
  proxy_temp_path ${join(dir, 'tmp', 'proxy')};
  upstream rpc {
    server 127.0.0.1:${upstreamPort};
    keepalive 16;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${join(dir, 'server.cert.pem')};
    ssl_certificate_key ${join(dir, 'server.key.pem')};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on;
    ssl_client_certificate ${join(dir, 'clients.pem')};
    keepalive_requests 1000000;
    keepalive_timeout 65s;
    location / {
      proxy_pass http://rpc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/**
 * nginx terminating mutual TLS in front of our plain-HTTP server, in the foreground as a child
 * (`nginx -p DIR -c nginx.conf -g 'daemon off;'`), one worker.
 */
export async function startNginx(options: NginxOptions, upstream: { cpuPids(): number[]; stop(): Promise<void> }): Promise<Contender> {
  const { dir } = options;
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const server = options.pki.servers[options.keyType];
  await writeFile(join(dir, 'server.cert.pem'), server.certPem);
  await writeFile(join(dir, 'server.key.pem'), server.keyPem, { mode: 0o600 });
  // nginx can't anchor trust on a leaf that is not self-signed (no partial chains): the trusted
  // client certificate goes in with its issuer, so the chain leaf → local CA completes.
  await writeFile(join(dir, 'clients.pem'), `${options.pki.client.certPem}${options.pki.ca.certPem}`);
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, port, options.upstreamPort));

  const master = spawnTracked(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { pin: options.pin });
  const masterPid = master.pid!;
  let workers: number[] = [];
  const stop = async (): Promise<void> => {
    await stopChild(master, 'SIGTERM', 5000);
    for (const pid of workers) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      untrackPid(pid);
    }
    await upstream.stop();
  };
  try {
    await waitForPort(port, 15_000);
    workers = childPids(masterPid);
    for (const pid of workers) trackPid(pid);
    if (workers.length === 0) throw new Error('nginx started no worker process');
  } catch (error) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`nginx did not start: ${error instanceof Error ? error.message : String(error)}\n${log}`);
  }
  return { name: 'nginx', host: '127.0.0.1', port, cpuPids: () => [masterPid, ...workers, ...upstream.cpuPids()], stop };
}
