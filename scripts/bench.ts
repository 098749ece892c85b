/**
 * `npm run bench`: starts the sidecar, grows a set of pods step by step, and at each step
 * measures it against the docker CLI doing the same work (see scripts/bench/ and --help).
 * Prints a summary with PASS/MISS per target and writes bench-results/latest.json plus an SVG.
 * Every container it made is removed at the end, also on Ctrl-C or an error.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_PAUSE_IMAGE } from '../src/docker/lifecycle/pause-image.ts';
import { containersWithLabel, removeAll } from './bench/docker.ts';
import { leakCheck } from './bench/leak-check.ts';
import { machineInfo } from './bench/machine.ts';
import {
  type Ctx,
  createPods,
  deletePods,
  dockerLogsLoad,
  getLogsLoad,
  inspectLoad,
  mainContainerIds,
  rawPodRun,
  rawRemove,
  rawRun,
  statusLoad,
  waitRunning,
} from './bench/measure.ts';
import { type BenchOptions, parseOptions, USAGE } from './bench/options.ts';
import { PodFactory } from './bench/payloads.ts';
import { dockerChildrenOf, memoryOf } from './bench/proc.ts';
import { evaluateTargets, renderSummary } from './bench/report.ts';
import type { BenchResults, StepResult } from './bench/results.ts';
import { freePort, type RunningSidecar, sleep, startSidecar } from './bench/sidecar.ts';
import { round } from './bench/stats.ts';
import { lineChart } from './bench/svg-chart.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OWNER_LABEL = 'io.interlink.docker-plugin.instance';
const RAW_LABEL = 'io.interlink.bench.run';
const COMMAND = ['sleep', '3600'] as const;

const t0 = performance.now();
function progress(msg: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
}

/** Waits until the sidecar's only docker child is the events stream (in-flight inspects done). */
async function settle(pid: number): Promise<void> {
  for (let i = 0; i < 25 && dockerChildrenOf(pid).length > 1; i++) await sleep(200);
}

async function measureStep(ctx: Ctx, opts: BenchOptions, pods: number, first: boolean): Promise<StepResult> {
  const pid = ctx.sidecar.pid;
  const created = pods - ctx.pods.length;
  const step: StepResult = {
    pods,
    created,
    toRunning: { ms: 0, running: 0, total: 0 },
    dockerChildrenIdle: [],
    status: [],
    inspect: [],
    getLogs: [],
    dockerLogs: [],
  };
  progress(`step ${pods}: creating ${created} pods at concurrency ${opts.createConcurrency}`);
  step.create = await createPods(ctx, created, opts.createConcurrency);
  progress(`step ${pods}: ${step.create.load.perSecond.toFixed(2)} pods/s; waiting for every pod to run`);
  step.toRunning = await waitRunning(ctx, 60_000 + 100 * pods);
  if (step.toRunning.running < step.toRunning.total) {
    progress(
      `step ${pods}: only ${step.toRunning.running}/${step.toRunning.total} pods run; measuring anyway`,
    );
  }
  await settle(pid);
  step.memoryAfterCreate = memoryOf(pid);
  step.dockerChildrenIdle = dockerChildrenOf(pid);

  const baseline = Math.min(created, opts.baselinePods);
  if (baseline > 0) {
    progress(`step ${pods}: raw docker run -d, then rm -f, of ${baseline} containers`);
    const raw = await rawRun(ctx, baseline, opts.createConcurrency);
    step.rawRun = raw.load;
    step.rawRm = await rawRemove(raw.groups, opts.deleteConcurrency);
    if (opts.rawPod) {
      progress(`step ${pods}: ${baseline} sandbox+container pairs by hand`);
      const rawPods = await rawPodRun(ctx, baseline, opts.createConcurrency, BUILTIN_PAUSE_IMAGE);
      step.rawPodRun = rawPods.load;
      step.rawPodRm = await rawRemove(rawPods.groups, opts.deleteConcurrency);
    }
  }

  const ids = await mainContainerIds(ctx.instance);
  if (opts.warmupMs > 0) {
    // interLink polls without pause: measure the warm steady state. The first step gets 5x the
    // warm-up, or a cold JIT makes the smallest step look slow and the scaling ratio look good.
    const ms = first ? 5 * opts.warmupMs : opts.warmupMs;
    await statusLoad(ctx, Math.max(...opts.statusConcurrency), ms, opts.maxRequests);
  }
  for (const c of opts.statusConcurrency) {
    progress(`step ${pods}: /status at concurrency ${c} for ${opts.durationMs / 1000} s`);
    step.status.push(await statusLoad(ctx, c, opts.durationMs, opts.maxRequests));
  }
  for (const c of opts.statusConcurrency) {
    progress(`step ${pods}: docker inspect at concurrency ${c} for ${opts.durationMs / 1000} s`);
    step.inspect.push(await inspectLoad(ids, c, opts.durationMs, opts.maxRequests));
  }
  for (const c of opts.statusConcurrency) {
    progress(`step ${pods}: ${opts.logsRequests} /getLogs and docker logs at concurrency ${c}`);
    step.getLogs.push(await getLogsLoad(ctx, c, opts.logsRequests));
    step.dockerLogs.push(await dockerLogsLoad(ids, c, opts.logsRequests));
  }
  step.memoryAfterMeasure = memoryOf(pid);
  return step;
}

function summarizeLog(file: string): Pick<BenchResults['sidecar'], 'logLines' | 'logProblems'> {
  const logLines: Record<string, number> = {};
  const problems = new Map<string, { level: string; msg: string; count: number }>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { logLines, logProblems: [] };
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: { level?: string; msg?: string; error?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      logLines.unparsed = (logLines.unparsed ?? 0) + 1;
      const p = problems.get(line) ?? { level: 'unparsed', msg: line.slice(0, 200), count: 0 };
      p.count++;
      problems.set(line, p);
      continue;
    }
    const level = entry.level ?? 'unknown';
    logLines[level] = (logLines[level] ?? 0) + 1;
    if (level === 'warn' || level === 'error') {
      const msg = `${entry.msg ?? ''}${entry.error ? `: ${String(entry.error).slice(0, 160)}` : ''}`;
      const key = `${level}\0${msg}`;
      const p = problems.get(key) ?? { level, msg, count: 0 };
      p.count++;
      problems.set(key, p);
    }
  }
  return { logLines, logProblems: [...problems.values()].sort((a, b) => b.count - a.count).slice(0, 20) };
}

function chart(r: BenchResults, concurrency: number): string {
  const pts = (f: (s: StepResult) => number | undefined): [number, number][] =>
    r.steps.map((s) => [s.pods, f(s) ?? Number.NaN]);
  const ours = (s: StepResult) => s.status.find((x) => x.load.concurrency === concurrency)?.load.latencyMs;
  const theirs = (s: StepResult) => s.inspect.find((x) => x.concurrency === concurrency)?.latencyMs;
  return lineChart({
    title: 'GET /status latency vs one docker inspect CLI call',
    subtitle: `one pod per request, concurrency ${concurrency}; ${r.machine.cores} cores, ${r.machine.date.slice(0, 10)}`,
    xLabel: 'pods managed by the sidecar',
    yLabel: 'latency (ms, log scale)',
    logX: true,
    logY: true,
    series: [
      { name: '/status p50', color: '#1f77b4', points: pts((s) => ours(s)?.p50) },
      { name: '/status p95', color: '#1f77b4', dashed: true, points: pts((s) => ours(s)?.p95) },
      { name: 'docker inspect p50', color: '#d62728', points: pts((s) => theirs(s)?.p50) },
      { name: 'docker inspect p95', color: '#d62728', dashed: true, points: pts((s) => theirs(s)?.p95) },
    ],
  });
}

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const runId = randomBytes(3).toString('hex');
  const instance = `bench-${runId}`;
  const tmp = mkdtempSync(join(tmpdir(), 'plugin-bench-'));
  const stateDir = join(tmp, 'state');
  mkdirSync(stateDir);
  const logFile = join(tmp, 'sidecar.log');
  let sidecar: RunningSidecar | undefined;
  let failed = false;

  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await sidecar?.stop().catch(() => {});
      // Twice: a docker run in flight when we were stopped may land just after the first sweep.
      for (let pass = 0; pass < 2; pass++) {
        const ids = [
          ...(await containersWithLabel(OWNER_LABEL, instance).catch(() => [])),
          ...(await containersWithLabel(RAW_LABEL, runId).catch(() => [])),
        ];
        if (ids.length > 0) {
          progress(`clean-up: removing ${ids.length} containers`);
          await removeAll(ids);
        }
        if (pass === 0) await sleep(1000);
      }
      if (failed || opts.keepLogs) progress(`the sidecar's log is kept in ${logFile}`);
      else rmSync(tmp, { recursive: true, force: true });
    })();
    return cleaning;
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      // tsx relays the signal the process group already got: say it once.
      if (!failed) progress(`${sig}: stopping and cleaning up`);
      failed = true;
      void cleanup().finally(() => process.exit(130));
    });
  }

  const results: BenchResults = {
    machine: await machineInfo(REPO),
    options: { ...opts, command: COMMAND },
    instance,
    sidecar: { startupMs: 0, pid: 0, logLines: {}, logProblems: [] },
    steps: [],
    targets: [],
    durationSeconds: 0,
  };
  try {
    const port = await freePort();
    progress(`starting the sidecar (instance ${instance}, port ${port}, log ${logFile})`);
    sidecar = await startSidecar({
      repoDir: REPO,
      instance,
      stateDir,
      logFile,
      port,
      extraArgs: ['--log-level', opts.sidecarLogLevel],
    });
    results.sidecar.startupMs = sidecar.startupMs;
    results.sidecar.pid = sidecar.pid;
    const ctx: Ctx = {
      sidecar,
      factory: new PodFactory(opts.template, runId, COMMAND, opts.image),
      pods: [],
      instance,
      rawLabel: `${RAW_LABEL}=${runId}`,
      image: opts.image,
      command: COMMAND,
      progress,
    };

    if (!opts.leakOnly) {
      for (const pods of opts.steps) {
        if (pods <= ctx.pods.length) continue;
        results.steps.push(await measureStep(ctx, opts, pods, results.steps.length === 0));
      }
      progress(`deleting ${ctx.pods.length} pods at concurrency ${opts.deleteConcurrency}`);
      const del = await deletePods(ctx, opts.deleteConcurrency);
      let left = await containersWithLabel(OWNER_LABEL, instance);
      for (let i = 0; i < 20 && left.length > 0; i++) {
        await sleep(500);
        left = await containersWithLabel(OWNER_LABEL, instance);
      }
      results.delete = { sidecar: del, leftoverContainers: left.length };
    }
    if (opts.leakCheck > 0) {
      progress(`leak check: ${opts.leakCheck} create/delete cycles at concurrency ${opts.createConcurrency}`);
      results.leak = await leakCheck(ctx, opts.leakCheck, opts.createConcurrency, progress);
    }
    await settle(sidecar.pid);
    results.final = { memory: memoryOf(sidecar.pid), dockerChildren: dockerChildrenOf(sidecar.pid) };
  } catch (err) {
    failed = true;
    results.error = err instanceof Error ? err.message : String(err);
    progress(`error: ${results.error}`);
  }

  Object.assign(results.sidecar, summarizeLog(logFile));
  await cleanup();
  results.durationSeconds = (performance.now() - t0) / 1000;
  results.targets = evaluateTargets(results, opts.statusConcurrency);

  const outDir = resolve(REPO, opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(results, (_k, v) => (typeof v === 'number' ? round(v, 4) : v), 2);
  writeFileSync(join(outDir, 'latest.json'), `${json}\n`);
  const summary = renderSummary(results, opts.statusConcurrency);
  writeFileSync(join(outDir, 'latest.txt'), summary);
  if (results.steps.length > 0) {
    const c = opts.statusConcurrency.includes(1) ? 1 : Math.min(...opts.statusConcurrency);
    writeFileSync(join(outDir, 'status-latency.svg'), chart(results, c));
  }
  process.stdout.write(`\n${summary}`);
  progress(
    `wrote latest.json, latest.txt${results.steps.length > 0 ? ' and status-latency.svg' : ''} in ${opts.outDir} (${results.durationSeconds.toFixed(0)} s)`,
  );
  process.exit(results.error ? 1 : 0);
}

await main();
