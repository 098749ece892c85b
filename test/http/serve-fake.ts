/**
 * Serves the real app (src/http/app.ts) over a fake backend on a real listener (127.0.0.1, port 0),
 * with its log lines collected: HTTP behaviour in milliseconds, without Docker or a child process.
 * Call closeAll() in afterEach.
 */
import { type Agent, request } from 'node:http';
import { BodyValidator } from '../../src/contract/validate-body.ts';
import { type AppOptions, createApp } from '../../src/http/app.ts';
import { type Listening, listen } from '../../src/http/listen.ts';
import { createLogger } from '../../src/log.ts';
import { FakeBackend } from '../backend/fake-backend.ts';
import type { PluginAddress } from '../helpers/plugin-process.ts';

export const BODY_LIMIT = 200_000;

export interface Served {
  backend: FakeBackend;
  target: PluginAddress & { baseUrl: string };
  /** Every log line so far, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: log lines are arbitrary JSON
  lines: any[];
}

const open = new Set<Listening>();
// Compiling the spec takes longer than a request: one validator serves every app of a file.
let validator: BodyValidator | undefined;

export async function serveFake(options: Partial<Omit<AppOptions, 'backend' | 'log'>> = {}): Promise<Served> {
  validator ??= new BodyValidator();
  const backend = new FakeBackend();
  const lines: Served['lines'] = [];
  const app = createApp({
    backend,
    bodyLimitBytes: BODY_LIMIT,
    validator,
    log: createLogger({}, (line) => lines.push(JSON.parse(line))),
    ...options,
  });
  const server = await listen(app, { kind: 'tcp', host: '127.0.0.1', port: 0 }, 0o600);
  open.add(server);
  return { backend, lines, target: { baseUrl: server.address } };
}

export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((s) => s.close(1000)));
  open.clear();
}

/** One request (on `agent`, when given) that writes its whole body at once, chunked, as a client that does not wait. */
export function sendChunked(
  agent: Agent | undefined,
  baseUrl: string,
  method: string,
  path: string,
  body: string,
): Promise<number> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: { 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
