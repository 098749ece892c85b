/**
 * The sidecar under test, as a child process, and an HTTP client that talks to it the way
 * interLink does: keep-alive connections and JSON bodies on GET (node's fetch cannot send those).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { findNodePid } from './proc.ts';

export interface SidecarOptions {
  repoDir: string;
  instance: string;
  stateDir: string;
  logFile: string;
  port: number;
  extraArgs?: readonly string[];
  /** `npm start` (npm, then sh, then node: what an operator following the README runs) or node alone. */
  via?: 'npm' | 'node';
  /** Flags for node itself (e.g. --cpu-prof); only with `via: 'node'`. */
  nodeArgs?: readonly string[];
}

export interface Reply {
  status: number;
  body: string;
}

export class SidecarClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  send(method: 'GET' | 'POST', path: string, body?: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: body
            ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }
            : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** GET as Prometheus scrapes (Accept-Encoding: gzip): the text, and the bytes it took on the wire. */
  scrape(path: string): Promise<{ text: string; wireBytes: number }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, path, agent: this.agent, headers: { 'Accept-Encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            if (res.statusCode !== 200) return reject(new Error(`GET ${path} -> ${res.statusCode}`));
            const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString();
            resolve({ text, wireBytes: body.length });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Like send, but a non-2xx answer is an error carrying the plugin's words. */
  async ok(method: 'GET' | 'POST', path: string, body?: Buffer): Promise<string> {
    const r = await this.send(method, path, body);
    if (r.status < 200 || r.status >= 300)
      throw new Error(`${method} ${path} -> ${r.status}: ${r.body.slice(0, 300)}`);
    return r.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A port nobody listens on right now (the sidecar binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningSidecar {
  /** What was spawned (npm, or node itself): the root of the process tree. */
  child: ChildProcess;
  /** The node process that serves (what /proc is read for). */
  pid: number;
  client: SidecarClient;
  startupMs: number;
  stop(): Promise<void>;
}

/** The node flags `npm start` gives (package.json), so node alone runs as the operator runs it. */
export function startNodeFlags(repoDir: string): string[] {
  const start = (
    JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/src/main.mjs'));
}

export async function startSidecar(o: SidecarOptions): Promise<RunningSidecar> {
  const log = openSync(o.logFile, 'a');
  // What `npm start` runs: the bundle its prestart builds (built here, so startup is not the build).
  execFileSync('node', ['scripts/build.mjs'], { cwd: o.repoDir, stdio: 'ignore' });
  const started = performance.now();
  const args = [
    '--listen',
    `127.0.0.1:${o.port}`,
    '--instance',
    o.instance,
    '--state-dir',
    o.stateDir,
    '--shutdown-timeout',
    '2',
    ...(o.extraArgs ?? []),
  ];
  const [cmd, argv] =
    (o.via ?? 'node') === 'npm'
      ? ['npm', ['start', '--ignore-scripts', '--', ...args]]
      : [
          process.execPath,
          [...startNodeFlags(o.repoDir), ...(o.nodeArgs ?? []), 'dist/src/main.mjs', ...args],
        ];
  const child = spawn(cmd, argv, { cwd: o.repoDir, stdio: ['ignore', log, log] });
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited (code ${code}, signal ${signal})`;
      resolve();
    }),
  );
  const client = new SidecarClient('127.0.0.1', o.port);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the sidecar ${exited} before /healthz answered; see ${o.logFile}`);
    const r = await client.send('GET', '/healthz').catch(() => undefined);
    if (r?.status === 200) break;
    if (Date.now() > deadline)
      throw new Error(`the sidecar did not answer /healthz within 60 s; see ${o.logFile}`);
    await sleep(100);
  }
  const startupMs = performance.now() - started;
  // The node process that serves: npm is node too, so the deepest one.
  const pid = findNodePid(child.pid as number) ?? (child.pid as number);
  return {
    child,
    pid,
    client,
    startupMs,
    stop: async () => {
      client.close();
      if (exited) return;
      // SIGTERM to the server itself (npm would relay it, but not every npm does); npm then exits.
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
        child.kill('SIGKILL');
      }, 8000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
