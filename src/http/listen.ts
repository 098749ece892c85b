/**
 * Serves the app on TCP or on a unix socket, and shuts down gracefully: stop accepting,
 * let in-flight requests finish (up to a timeout), then resolve.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ListenAddress } from '../config/load-config.ts';
import type { FrontHandler } from './status-fast-path.ts';

export interface Listening {
  server: Server;
  /** `http://host:port` or `unix:/path`. */
  address: string;
  close(timeoutMs: number): Promise<void>;
}

/**
 * Serves `app`; `front` handlers (the /status and /metrics fast paths) see each request first, in
 * their order, and each may pass it on to the next and the last to the app.
 */
export async function listen(
  // biome-ignore lint/suspicious/noExplicitAny: any Hono env is served the same way
  app: Hono<any>,
  where: ListenAddress,
  socketMode: number,
  front?: FrontHandler | readonly (FrontHandler | undefined)[],
): Promise<Listening> {
  const toApp = getRequestListener(app.fetch);
  const fronts = (Array.isArray(front) ? front : [front]).filter((f): f is FrontHandler => f !== undefined);
  const server = createServer(
    fronts.length === 0
      ? (req, res) => void toApp(req, res)
      : (req, res) => {
          let at = 0;
          const next = () => {
            const handler = fronts[at++];
            if (handler) handler(req, res, next);
            else void toApp(req, res);
          };
          next();
        },
  );
  // interLink keeps connections alive between polls; a slow log follow must not be cut.
  server.requestTimeout = 0;
  if (where.kind === 'unix') await prepareSocketPath(where.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (where.kind === 'unix') server.listen(where.path, resolve);
    else server.listen(where.port, where.host, resolve);
  });
  let address: string;
  if (where.kind === 'unix') {
    await chmod(where.path, socketMode);
    address = `unix:${where.path}`;
  } else {
    const info = server.address();
    const port = typeof info === 'object' && info ? info.port : where.port;
    address = `http://${where.host.includes(':') ? `[${where.host}]` : where.host}:${port}`;
  }
  return {
    server,
    address,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Replaces a stale socket file, but refuses to steal one another process is serving. */
async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket())
    throw new Error(`listen: ${path} exists and is not a socket; remove it or choose another path`);
  const inUse = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (inUse) throw new Error(`listen: another process is serving ${path}; stop it or choose another path`);
  await unlink(path);
}
