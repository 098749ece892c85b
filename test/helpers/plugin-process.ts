/**
 * Starts the real plugin (`tsx src/main.ts`) as a child process on a free TCP port or a unix socket,
 * with its own instance name and state directory, and talks to it the way interLink does.
 * Call stopAll() in afterAll: it stops every plugin this file started and removes their containers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LABEL } from '../../src/docker/labels.ts';
import { dockerRmByLabel } from './docker.ts';
import { removeInstanceCgroups } from './instance-cgroups.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
/**
 * Only a guard against waiting for ever: on a loaded 2-core machine a start-up takes 20 s on
 * Docker, more on Podman (its state-dir probe starts a container, which Podman does slower).
 */
const READY_TIMEOUT_MS = 60_000;
/** How long stop() waits before SIGKILL: shorter than the plugin's 30 s shutdown timeout, to keep tests quick. */
const STOP_TIMEOUT_MS = 15_000;

export interface PluginAddress {
  baseUrl?: string;
  socketPath?: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; throws with the body in the message when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON answers
  json(): any;
}

/** Another user to run the plugin as, with that user's engine (rootless Podman). */
export interface RunAs {
  uid: number;
  gid: number;
  /** The user's environment: HOME, XDG_RUNTIME_DIR, DOCKER_HOST of its engine... */
  env: Record<string, string>;
  /** The user's engine, where stopAll removes what the plugin made. */
  dockerHost: string;
}

export interface StartOptions {
  /** Run the plugin as this user (the test runs as root); its temporary dir is the user's. */
  runAs?: RunAs;
  listen?: 'tcp' | 'unix';
  /** Extra environment; the plugin's variables of the test process (PLUGIN_*, TELEMETRY_*...) are not passed on. */
  env?: Record<string, string>;
  /** Extra flags, after --listen, --instance and --state-dir. */
  args?: string[];
  /** Reuse an instance name (e.g. to restart a plugin over the containers of a previous one). */
  instance?: string;
  /** Reuse a state directory (same reason); default: a fresh temporary one. */
  stateDir?: string;
  /** A crash point (src/crash-points.ts, "#n" for its n-th time) where the plugin SIGKILLs itself (crash-entry.ts). */
  crashAt?: string;
  /** How long to wait for /healthz (default 60 s). */
  readyTimeoutMs?: number;
}

export interface RunningPlugin extends PluginAddress {
  instance: string;
  stateDir: string;
  /** Everything the plugin wrote so far, stdout and stderr interleaved, one line per line. */
  logs(): string;
  /** Resolves when a log line matches, rejects after timeoutMs (30 s: only a guard against waiting forever) with the logs so far. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal (SIGKILL after a grace period) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the plugin has exited by itself (e.g. killed at a crash point). */
  exited: Promise<number | null>;
  /** One request the way interLink makes it: JSON content type and a session header, GET with a body. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResponse>;
}

/**
 * Headers asking for the contract's JSON Error body. interLink sends no Accept header and gets one
 * plain sentence (what `kubectl describe` shows); tests that read an error's fields ask for JSON.
 */
export const JSON_ERRORS = { Accept: 'application/json' } as const;

/**
 * One HTTP request over TCP (`baseUrl`) or a unix socket (`socketPath`). Unlike fetch it sends a
 * body with GET, as interLink does for /status and /getLogs. Objects are sent as JSON; strings and
 * Buffers as they are.
 */
export function httpRequest(
  target: PluginAddress,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  const payload =
    body === undefined
      ? undefined
      : typeof body === 'string' || body instanceof Uint8Array
        ? body
        : JSON.stringify(body);
  const url = target.baseUrl ? new URL(path, target.baseUrl) : undefined;
  return new Promise((resolvePromise, reject) => {
    const req = httpRequestRaw(
      {
        method,
        ...(url
          ? { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}` }
          : { socketPath: target.socketPath, path }),
        headers: {
          'Content-Type': 'application/json',
          'InterLink-Http-Session': `Request-${randomUUID()}`,
          ...(payload !== undefined ? { 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json() {
              try {
                return JSON.parse(text);
              } catch {
                throw new Error(
                  `${method} ${path}: answer is not JSON (status ${res.statusCode}): ${text.slice(0, 500)}`,
                );
              }
            },
          });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A TCP port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

interface Tracked {
  child: ChildProcess;
  instance: string;
  dockerHost?: string;
  tmpDir: string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const started = new Set<Tracked>();
/** Every instance started, with the engine it made its containers on (undefined: the default one). */
const instances = new Map<string, string | undefined>();

/** Kills the whole process group (tsx and the node it starts); ignores groups already gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already exited
  }
}

// A test process that dies without afterAll must not leave plugins listening.
process.once('exit', () => {
  for (const t of started) killGroup(t.child, 'SIGKILL');
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let defaultRunAs: RunAs | undefined;

/**
 * Every plugin started from now on without its own `runAs` runs as this user (undefined: as the
 * test): how suites written for Docker run against rootless Podman (podman-e2e-suites.test.ts).
 */
export function runPluginsAs(user: RunAs | undefined): void {
  defaultRunAs = user;
}

/** Starts the plugin and waits until GET /healthz answers 200. */
export async function startPlugin(options: StartOptions = {}): Promise<RunningPlugin> {
  const opts = !options.runAs && defaultRunAs ? { ...options, runAs: defaultRunAs } : options;
  const tmpDir = mkdtempSync(join(tmpdir(), 'plugin-test-'));
  if (opts.runAs) chownSync(tmpDir, opts.runAs.uid, opts.runAs.gid);
  const instance = opts.instance ?? `test-${randomUUID().slice(0, 12)}`;
  const stateDir = opts.stateDir ?? join(tmpDir, 'state');
  const address: PluginAddress =
    opts.listen === 'unix'
      ? { socketPath: join(tmpDir, 'plugin.sock') }
      : { baseUrl: `http://127.0.0.1:${await freePort()}` };
  const listen = address.socketPath
    ? `unix:${address.socketPath}`
    : (address.baseUrl as string).slice('http://'.length);

  // The plugin's settings of the test process are not passed on, and no config file of the host is read.
  const env: Record<string, string> = { INTERLINKCONFIGPATH: '/dev/null' };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(PLUGIN_|TELEMETRY_|ENABLE_TRACING$|INTERLINKCONFIGPATH$)/.test(k)) env[k] = v;
  }
  Object.assign(env, opts.runAs?.env, opts.env);

  if (opts.crashAt) env.CRASH_ENTRY_AT = opts.crashAt;
  const args = [
    ...(opts.crashAt ? ['--import', './test/helpers/crash-entry.ts'] : []),
    'src/main.ts',
    '--listen',
    listen,
    '--instance',
    instance,
    '--state-dir',
    stateDir,
    ...(opts.args ?? []),
  ];
  // detached: own process group, so cleanup can reach the node process tsx starts as well.
  const child = spawn(TSX, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
  });

  const logLines: string[] = [];
  const waiters = new Set<() => void>();
  const capture = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      logLines.push(...parts);
      for (const w of waiters) w();
    });
    stream?.on('end', () => {
      if (partial) logLines.push(partial);
      partial = '';
      for (const w of waiters) w();
    });
  };
  capture(child.stdout);
  capture(child.stderr);

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolveExit) => {
    // tsx passes on the plugin's exit code (128 + n when the plugin died of signal n); null only when
    // tsx itself was killed.
    child.on('exit', (code) => {
      exitCode = code;
      resolveExit(code);
    });
    child.on('error', (err) => {
      logLines.push(`[spawn error] ${err.message}`);
      exitCode = null;
      resolveExit(null);
    });
  });

  const logs = () => logLines.join('\n');

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (exitCode === undefined) {
      // Only tsx gets the signal: it relays it once to the plugin (a group signal would deliver it twice).
      child.kill(signal);
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    // The plugin may have left a child behind in its group; nothing of this test may outlive it.
    killGroup(child, 'SIGKILL');
    return exitCode ?? null;
  };

  const tracked: Tracked = {
    child,
    instance,
    tmpDir,
    exited,
    stop,
    ...(opts.runAs ? { dockerHost: opts.runAs.dockerHost } : {}),
  };
  started.add(tracked);
  instances.set(instance, opts.runAs?.dockerHost);

  const waitForLog = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolveWait, reject) => {
      const check = () => {
        const line = logLines.find((l) => pattern.test(l));
        if (line === undefined) return false;
        waiters.delete(onLine);
        clearTimeout(timer);
        resolveWait(line);
        return true;
      };
      const onLine = () => {
        check();
      };
      const timer = setTimeout(() => {
        waiters.delete(onLine);
        reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms; logs:\n${logs()}`));
      }, timeoutMs);
      if (!check()) waiters.add(onLine);
    });

  const readyMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + readyMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`plugin exited (code ${exitCode}) before /healthz answered; output:\n${logs()}`);
    }
    try {
      const res = await httpRequest(address, 'GET', '/healthz');
      if (res.status === 200) break;
      lastError = `status ${res.status}: ${res.text.slice(0, 200)}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(
        `plugin did not answer GET /healthz with 200 within ${readyMs / 1000} s (last: ${lastError}); output:\n${logs()}`,
      );
    }
    await sleep(100);
  }
  // The metrics listener opens after the API: a test that scrapes it at once would race it.
  const metricsAt = opts.args?.indexOf('--metrics-listen') ?? -1;
  const metricsAddress = metricsAt >= 0 ? opts.args?.[metricsAt + 1] : undefined;
  if (metricsAddress) {
    const probes = { baseUrl: `http://${metricsAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}` };
    for (;;) {
      const answered = await httpRequest(probes, 'GET', '/healthz').then(
        () => true,
        () => false,
      );
      if (answered) break;
      if (exitCode !== undefined || Date.now() > deadline) {
        await stop('SIGKILL');
        throw new Error(`the metrics listener ${metricsAddress} did not answer /healthz; output:\n${logs()}`);
      }
      await sleep(100);
    }
  }

  return {
    ...address,
    instance,
    stateDir,
    logs,
    waitForLog,
    stop,
    exited,
    request: (method, path, body, headers) => httpRequest(address, method, path, body, headers),
  };
}

/**
 * For afterAll: stops every plugin started here (SIGTERM, then SIGKILL), removes all containers,
 * networks and volumes labelled with their instance names, and deletes their temporary directories.
 */
export async function stopAll(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.map((t) => t.stop('SIGTERM')));
  const names = [...instances];
  instances.clear();
  const errors: unknown[] = [];
  for (const [instance, dockerHost] of names) {
    try {
      await dockerRmByLabel(`${LABEL.owner}=${instance}`, dockerHost);
    } catch (err) {
      errors.push(err);
    }
    // Another engine's cgroups (a second dockerd, Podman) may be under this root too.
    removeInstanceCgroups(instance);
  }
  for (const t of all) rmSync(t.tmpDir, { recursive: true, force: true });
  if (errors.length > 0) throw new AggregateError(errors, 'stopAll: could not remove every test container');
}
