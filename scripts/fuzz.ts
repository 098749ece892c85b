/**
 * `npm run fuzz`: thousands of generated and mutated bodies for every endpoint, some of several
 * MiB, against the sidecar as `npm start` runs it, on the real engine. It fails on any 5xx, on a
 * refusal that names no field, and on any container left behind; it reports the sidecar's RSS at
 * start, its peak, after the bodies, and after an idle period.
 *
 *   npm run fuzz -- [--bodies 3000] [--big-every 25] [--concurrency 4] [--idle 30] [--seed N] [--json FILE]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { LABEL } from '../src/docker/labels.ts';
import {
  answerProblem,
  ENDPOINTS,
  type Endpoint,
  hostileBody,
  wireBody,
} from '../test/fixtures/hostile-bodies.ts';
import { memoryOf } from './bench/proc.ts';
import { freePort, sleep, startSidecar } from './bench/sidecar.ts';

const { values } = parseArgs({
  options: {
    bodies: { type: 'string', default: '3000' },
    'big-every': { type: 'string', default: '25' },
    concurrency: { type: 'string', default: '4' },
    idle: { type: 'string', default: '30' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    json: { type: 'string' },
  },
});
const bodies = Number(values.bodies);
const bigEvery = Number(values['big-every']);
const concurrency = Number(values.concurrency);
const idleSeconds = Number(values.idle);
const seed = Number(values.seed);

const MiB = 1024 * 1024;

/**
 * Bodies of several MiB, of the shapes that cost a server the most: one huge string, a list
 * grown to tens of thousands of entries, a million small wrong values, and one just over the limit.
 */
function bigBody(endpoint: Endpoint, i: number): string {
  const size = (2 + (i % 5)) * MiB;
  const base = endpoint.valid() as Record<string, unknown>;
  const pod = (Array.isArray(base) ? base[0] : base) as { pod?: unknown; metadata?: unknown };
  const meta = ((pod.pod as { metadata?: unknown } | undefined)?.metadata ?? pod.metadata) as
    | { annotations?: Record<string, string> }
    | undefined;
  switch (i % 4) {
    case 0:
      if (meta) meta.annotations = { ...meta.annotations, big: 'x'.repeat(size) };
      return JSON.stringify(base);
    case 1:
      if (meta) {
        const n = Math.floor(size / 40);
        meta.annotations = Object.fromEntries(
          Array.from({ length: n }, (_, k) => [`k${k}`, 'v\u0000'.repeat(8)]),
        );
      }
      return JSON.stringify(base);
    case 2:
      return `[${Array(Math.floor(size / 2))
        .fill('1')
        .join(',')}]`;
    default:
      // Just over PLUGIN_BODY_LIMIT's default (8 MiB): a 413, read and dropped.
      return `[${' '.repeat(8 * MiB)}]`;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const port = await freePort();

function send(
  method: string,
  path: string,
  body: string | undefined,
): Promise<{ status: number; type: string | undefined; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const repoDir = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'fuzz-'));
const instance = `fuzz-${randomBytes(4).toString('hex')}`;
const sidecar = await startSidecar({
  repoDir,
  instance,
  stateDir: join(work, 'state'),
  logFile: join(work, 'sidecar.log'),
  port,
});
const mb = () => memoryOf(sidecar.pid)?.rssMb ?? Number.NaN;

const failures: string[] = [];
const statuses = new Map<number, number>();
let sentBytes = 0;
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, mb());
}, 100);

try {
  await send('GET', '/status', '[]');
  const atStart = mb();
  const began = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies) return;
      const endpoint = ENDPOINTS[i % ENDPOINTS.length] as Endpoint;
      const big = bigEvery > 0 && i % bigEvery === bigEvery - 1;
      const body = big
        ? bigBody(endpoint, Math.floor(i / bigEvery))
        : wireBody(fc.sample(hostileBody(endpoint), { numRuns: 1, seed: seed + i })[0] as never);
      sentBytes += Buffer.byteLength(body);
      let res: Awaited<ReturnType<typeof send>>;
      try {
        res = await send(endpoint.method, endpoint.path, body);
      } catch (err) {
        failures.push(`#${i} ${endpoint.name}: no answer (${(err as Error).message})`);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const problem = answerProblem(res.status, res.type, res.text);
      if (problem)
        failures.push(`#${i} ${endpoint.name} (seed ${seed + i}${big ? ', big' : ''}): ${problem}`);
      if (endpoint.path === '/create' && res.status === 200) {
        for (const { PodUID } of [JSON.parse(res.text)].flat() as Array<{ PodUID: string }>) {
          const gone = await send(
            'POST',
            '/delete',
            JSON.stringify({ metadata: { name: 'fuzz', uid: PodUID, deletionGracePeriodSeconds: 0 } }),
          );
          if (gone.status !== 200) failures.push(`#${i}: delete of ${PodUID} answered ${gone.status}`);
        }
      }
      if ((i + 1) % 500 === 0)
        process.stderr.write(`${i + 1} bodies, RSS ${mb().toFixed(0)} MB, ${failures.length} failures\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - began) / 1000;
  const afterBodies = mb();
  await sleep(idleSeconds * 1000);
  const afterIdle = mb();
  const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${LABEL.owner}=${instance}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  if (left.length > 0) failures.push(`${left.length} containers left behind`);
  const report = {
    bodies,
    seed,
    concurrency,
    seconds: Math.round(seconds),
    sentMiB: Math.round(sentBytes / MiB),
    statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
    rssMb: {
      start: Math.round(atStart),
      peak: Math.round(peak),
      afterBodies: Math.round(afterBodies),
      afterIdle: Math.round(afterIdle),
      idleSeconds,
    },
    failures: failures.slice(0, 20),
    failureCount: failures.length,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
  process.exitCode = failures.length > 0 ? 1 : 0;
} finally {
  clearInterval(sampler);
  agent.destroy();
  await sidecar.stop();
  execFileSync('docker', ['ps', '-aq', '--filter', `label=${LABEL.owner}=${instance}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .forEach((id) => {
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    });
  rmSync(work, { recursive: true, force: true });
}
