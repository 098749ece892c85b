/**
 * `npm run bench:lifecycle`: create and delete, the plugin against the docker CLI making the same
 * pods by hand, in one run (scripts/bench/lifecycle.ts). First the docker calls per create and
 * delete, counted through a recording `--docker` wrapper on a sidecar of its own; then the
 * figures, on a sidecar started as `npm start` runs it. Writes bench-results/lifecycle.json and
 * prints a table. Every container it made is removed at the end, also on an error.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUILTIN_PAUSE_IMAGE } from '../src/docker/lifecycle/pause-image.ts';
import { recordingDocker } from './bench/call-count.ts';
import { containersWithLabel, removeAll } from './bench/docker.ts';
import {
  createBurst,
  createLatency,
  deleteCost,
  type LifecycleCtx,
  type Made,
  settled,
} from './bench/lifecycle.ts';
import { multiContainerPod } from './bench/lifecycle-pods.ts';
import { machineInfo } from './bench/machine.ts';
import { PodFactory } from './bench/payloads.ts';
import { freePort, type RunningSidecar, startSidecar } from './bench/sidecar.ts';
import { fmt, round } from './bench/stats.ts';
import { table } from './bench/table.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OWNER_LABEL = 'io.interlink.docker-plugin.instance';
const RAW_LABEL = 'io.interlink.bench.run';
const COMMAND = ['sleep', '3600'] as const;
const TEMPLATE = 'test/fixtures/interlink-examples/hello-create.json';

const { values: flags } = parseArgs({
  options: {
    pods: { type: 'string', default: '15' },
    'multi-pods': { type: 'string', default: '8' },
    burst: { type: 'string', default: '32' },
    'burst-concurrency': { type: 'string', default: '16' },
    'delete-concurrency': { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench-results' },
  },
});
const n = (k: keyof typeof flags) => Number(flags[k]);

const t0 = performance.now();
function progress(msg: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
}

async function withSidecar<T>(
  tmp: string,
  name: string,
  extraArgs: string[],
  run: (ctx: LifecycleCtx) => Promise<T>,
): Promise<T> {
  const runId = randomBytes(3).toString('hex');
  const instance = `bench-${runId}`;
  const stateDir = join(tmp, `state-${name}`);
  mkdirSync(stateDir);
  let sidecar: RunningSidecar | undefined;
  try {
    sidecar = await startSidecar({
      repoDir: REPO,
      instance,
      stateDir,
      logFile: join(tmp, `${name}.log`),
      port: await freePort(),
      extraArgs: ['--log-level', 'info', ...extraArgs],
    });
    return await run({
      sidecar,
      factory: new PodFactory(TEMPLATE, runId, COMMAND, 'busybox:1.36'),
      pods: [],
      instance,
      rawLabel: `${RAW_LABEL}=${runId}`,
      image: 'busybox:1.36',
      command: COMMAND,
      progress,
      pauseImage: BUILTIN_PAUSE_IMAGE,
    });
  } finally {
    await sidecar?.stop().catch(() => {});
    const ids = [
      ...(await containersWithLabel(OWNER_LABEL, instance).catch(() => [])),
      ...(await containersWithLabel(RAW_LABEL, runId).catch(() => [])),
    ];
    if (ids.length > 0) await removeAll(ids);
  }
}

/** One pod of each shape made and deleted through the recording wrapper: calls per operation. */
function countCalls(tmp: string) {
  const calls = recordingDocker(tmp);
  // No safety-net resync (one `docker ps` every 30 s, whatever the pods) within the count.
  const args = ['--docker', calls.wrapper, '--resync-seconds', '3600'];
  return withSidecar(tmp, 'count', args, async (ctx) => {
    await settled(ctx.sidecar.pid);
    calls.since();
    const counts: Record<string, Record<string, number>> = {};
    for (const shape of ['one', 'multi'] as const) {
      const p = shape === 'one' ? ctx.factory.make() : multiContainerPod(ctx.factory);
      const answer = JSON.parse(await ctx.sidecar.client.ok('POST', '/create', p.createBody)) as {
        PodJID: string;
      };
      ctx.factory.created(p, answer.PodJID);
      // Until it runs whole: an init container's end sets off the next start.
      for (let i = 0; i < 600; i++) {
        const s = JSON.parse(await ctx.sidecar.client.ok('GET', '/status', p.statusBody)) as {
          containers: { state?: { running?: unknown } }[];
        }[];
        if (s[0]?.containers.length && s[0].containers.every((c) => c.state?.running)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1000));
      await settled(ctx.sidecar.pid);
      counts[`create ${shape}`] = calls.since();
      await ctx.sidecar.client.ok('POST', '/delete', p.deleteBody);
      await new Promise((r) => setTimeout(r, 1000));
      await settled(ctx.sidecar.pid);
      counts[`delete ${shape}`] = calls.since();
    }
    return counts;
  });
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'plugin-bench-lifecycle-'));
  const results: Record<string, unknown> = { machine: await machineInfo(REPO), flags };
  try {
    progress('counting docker calls per create and delete');
    results.calls = await countCalls(tmp);
    progress('measuring');
    const figures = await withSidecar(tmp, 'measure', [], async (ctx) => {
      const made: Made = { plugin: { one: [], multi: [] }, cli: { one: [], multi: [] } };
      await settled(ctx.sidecar.pid);
      progress(`${n('pods')} one-container pods one at a time, plugin and CLI alternating`);
      const one = await createLatency(ctx, made, 'one', n('pods'));
      progress(`${n('multi-pods')} pods of 2 init containers and 4 containers, alternating`);
      const multi = await createLatency(ctx, made, 'multi', n('multi-pods'));
      progress(`${n('burst')} one-container pods, ${n('burst-concurrency')} at once`);
      const burst = await createBurst(ctx, made, n('burst'), n('burst-concurrency'));
      progress('deleting');
      const delOne = await deleteCost(ctx, made, 'one', n('delete-concurrency'));
      const delMulti = await deleteCost(ctx, made, 'multi', n('delete-concurrency'));
      return { one, multi, burst, delete: [delOne, delMulti] };
    });
    results.figures = figures;
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
    const rows: string[][] = [];
    for (const c of [figures.one, figures.multi]) {
      rows.push([
        `create p50, ${c.shape === 'one' ? 'one container' : '2 init + 4 containers'} (answer / running)`,
        `${fmt(c.pluginAnswer.p50)} / ${fmt(c.pluginRunning.p50)} ms`,
        `${fmt(c.cli.p50)} ms`,
        ratio(c.pluginRunning.p50, c.cli.p50),
      ]);
    }
    const b = figures.burst;
    rows.push([
      `create pods/s, ${b.plugin.concurrency} at once`,
      fmt(b.plugin.perSecond),
      fmt(b.cli.perSecond),
      ratio(b.plugin.perSecond, b.cli.perSecond),
    ]);
    for (const d of figures.delete) {
      const what = `${d.pods} ${d.shape === 'one' ? 'one-container' : 'multi-container'} pods`;
      rows.push([
        `delete ${what}, total`,
        `${fmt(d.pluginMs / 1000)} s`,
        `${fmt(d.cliMs / 1000)} s`,
        ratio(d.pluginMs, d.cliMs),
      ]);
      rows.push([
        `delete ${what}, CPU`,
        `${fmt(d.pluginCpuS)} s (node ${fmt(d.pluginNodeCpuS)} s)`,
        `${fmt(d.cliCpuS)} s`,
        ratio(d.pluginCpuS, d.cliCpuS),
      ]);
    }
    const callRows = Object.entries(results.calls as Record<string, Record<string, number>>).map(
      ([op, c]) => [
        op,
        String(Object.values(c).reduce((s, x) => s + x, 0)),
        Object.entries(c)
          .map(([v, k]) => `${v} ×${k}`)
          .join(', '),
      ],
    );
    const text = `${table(['figure', 'plugin', 'docker CLI', 'plugin/CLI'], rows, true)}\n\ndocker calls of the plugin\n${table(['operation', 'calls', 'verbs'], callRows, true)}\n`;
    process.stdout.write(`\n${text}`);
    const outDir = resolve(REPO, flags.out as string);
    mkdirSync(outDir, { recursive: true });
    const json = JSON.stringify(results, (_k, v) => (typeof v === 'number' ? round(v, 4) : v), 2);
    writeFileSync(join(outDir, 'lifecycle.json'), `${json}\n`);
    writeFileSync(join(outDir, 'lifecycle.txt'), text);
    rmSync(tmp, { recursive: true, force: true });
  } catch (err) {
    progress(`error: ${(err as Error).message}; logs kept in ${tmp}`);
    process.exitCode = 1;
  }
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
