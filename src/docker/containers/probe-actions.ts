/**
 * One execution of a probe or lifecycle-hook handler against a running container: exec through
 * `docker exec` (an argument vector, never a shell), httpGet and tcpSocket straight from this
 * process to the pod's IP (no spawn), and the sleep handler. Never throws: the outcome says why.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Handler } from '../../pod/probe-spec.ts';
import { resolvePort } from '../../pod/probe-spec.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import type { Engine } from '../engine/engine.ts';

export interface ActionTarget {
  engine: Pick<Engine, 'exec'>;
  containerId: string;
  /** The pod's IP (its anchor container's), for httpGet and tcpSocket without a host of their own. */
  podIp: string;
  /** The container's named ports. */
  ports?: Record<string, number>;
}

export interface ActionOptions {
  /** The attempt fails after this long (exec: the docker process is killed). None: no limit. */
  timeoutMs?: number;
  /** Stops the attempt early (the container went away, the plugin is closing). */
  signal?: AbortSignal;
  /** Lifecycle hooks may sleep; tcpSocket is not a working hook (Kubernetes kept it only for compatibility). */
  use: 'probe' | 'hook';
}

export interface ActionOutcome {
  ok: boolean;
  /** What happened, for logs: the exit code and output, the HTTP status, the error. */
  message: string;
}

/** What a probe sends as User-Agent: kube-probe/<version>, which applications recognise by its prefix. */
const USER_AGENT = 'kube-probe/1.30';
/** The kubelet reads at most this much of a probe's output. */
const MAX_OUTPUT = 10 * 1024;

export async function runHandler(
  handler: Handler,
  target: ActionTarget,
  options: ActionOptions,
): Promise<ActionOutcome> {
  const signals = [
    options.signal,
    options.timeoutMs !== undefined
      ? AbortSignal.timeout(Math.min(options.timeoutMs, MAX_TIMER_MS))
      : undefined,
  ];
  const signal = AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
  if (signal.aborted) return { ok: false, message: abortMessage(signal, options) ?? 'cancelled' };
  try {
    if (handler.exec) return await execAction(handler.exec.command ?? [], target, signal, options);
    if (handler.httpGet) {
      const endpoint = resolveEndpoint(handler.httpGet, target);
      if ('ok' in endpoint) return endpoint;
      return await httpGetAction(handler.httpGet, endpoint, signal, options);
    }
    if (handler.tcpSocket) {
      if (options.use === 'hook') {
        return { ok: false, message: 'tcpSocket is not supported as a lifecycle handler' };
      }
      const endpoint = resolveEndpoint(handler.tcpSocket, target);
      if ('ok' in endpoint) return endpoint;
      return await tcpSocketAction(endpoint, signal, options);
    }
    if (handler.sleep && options.use === 'hook') return await sleepAction(handler.sleep.seconds ?? 0, signal);
    return { ok: false, message: 'the handler has no action this plugin can run' };
  } catch (err) {
    return { ok: false, message: abortMessage(signal, options) ?? (err as Error).message };
  }
}

function abortMessage(signal: AbortSignal, options: ActionOptions): string | undefined {
  if (!signal.aborted) return undefined;
  if (options.signal?.aborted) return 'cancelled';
  return `timed out after ${(options.timeoutMs ?? 0) / 1000} s`;
}

async function execAction(
  command: readonly string[],
  target: ActionTarget,
  signal: AbortSignal,
  options: ActionOptions,
): Promise<ActionOutcome> {
  if (command.length === 0) return { ok: false, message: 'exec command is empty' };
  try {
    const { stdout, stderr } = await target.engine.exec(target.containerId, command, signal);
    return { ok: true, message: tail(stdout + stderr) };
  } catch (err) {
    const timedOut = abortMessage(signal, options);
    if (timedOut) return { ok: false, message: `command ${timedOut}` };
    if (err instanceof DockerCliError) {
      return {
        ok: false,
        message: `exit code ${err.exitCode ?? 'signal'}: ${tail(err.stdout + err.stderr) || 'no output'}`,
      };
    }
    return { ok: false, message: (err as Error).message };
  }
}

/** Where an httpGet or tcpSocket action connects: its host (default the pod's IP) and port (by number or name). */
interface Endpoint {
  host: string;
  port: number;
}

function resolveEndpoint(
  action: { port: number | string; host?: string },
  target: ActionTarget,
): Endpoint | ActionOutcome {
  const port = resolvePort(action.port, target.ports);
  if (port === undefined) return { ok: false, message: `unknown port ${String(action.port)}` };
  const host = action.host || target.podIp;
  if (!host) return { ok: false, message: 'the pod has no IP address' };
  return { host, port };
}

type HttpGet = NonNullable<Handler['httpGet']>;

function httpGetAction(
  action: HttpGet,
  { host, port }: Endpoint,
  signal: AbortSignal,
  options: ActionOptions,
): Promise<ActionOutcome> {
  const scheme = (action.scheme || 'HTTP').toUpperCase();
  if (scheme !== 'HTTP' && scheme !== 'HTTPS') {
    return Promise.resolve({ ok: false, message: `unsupported scheme ${action.scheme}` });
  }
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) if (h.name) headers[h.name] = h.value ?? '';
  let path = action.path || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const send = scheme === 'HTTPS' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (outcome: ActionOutcome) => {
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const req = send(
      {
        host,
        port,
        path,
        method: 'GET',
        headers,
        agent: false,
        // As the kubelet does: a probe checks that the server answers, not who it is.
        ...(scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => {
          if (read < MAX_OUTPUT) chunks.push(b);
          read += b.length;
          if (read >= MAX_OUTPUT) res.destroy();
        });
        const finish = () => {
          const body = tail(Buffer.concat(chunks).toString('utf8'));
          const ok = status >= 200 && status < 400;
          done({ ok, message: `HTTP ${status}${body ? `: ${body}` : ''}` });
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const onAbort = () => req.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) =>
      done({
        ok: false,
        message: abortMessage(signal, options) ?? `GET ${host}:${port}${path}: ${err.message}`,
      }),
    );
    req.end();
  });
}

function tcpSocketAction(
  { host, port }: Endpoint,
  signal: AbortSignal,
  options: ActionOptions,
): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ActionOutcome) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () =>
      done({ ok: false, message: abortMessage(signal, options) ?? `connect ${host}:${port}: aborted` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => done({ ok: true, message: `connected to ${host}:${port}` }));
    socket.on('error', (err) => done({ ok: false, message: `connect ${host}:${port}: ${err.message}` }));
  });
}

/** Node's longest timer: a longer delay (a probe period of years) would fire after 1 ms, in a loop. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function sleepAction(seconds: number, signal: AbortSignal): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve({ ok: true, message: `slept ${seconds} s` });
      },
      Math.min(seconds * 1000, MAX_TIMER_MS),
    );
    // A sleep cut short by the grace period is not a failure: the kubelet just moves on.
    const onAbort = () => {
      clearTimeout(timer);
      resolve({ ok: true, message: 'sleep cut short' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The end of some output, on one line, for a log message. */
function tail(text: string): string {
  const t = text.trim();
  return (t.length > 512 ? `…${t.slice(-512)}` : t).replace(/\s*\n\s*/g, ' | ');
}
