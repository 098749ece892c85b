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
import { containersWithLabel, removeAll } from './bench/docker.ts';
import { leakCheck } from './bench/leak-check.ts';
import { cpuTicks, machineInfo, stealPercentSince } from './bench/machine.ts';
import { type Ctx, createPods, waitRunning } from './bench/measure.ts';
import { type BenchOptions, parseOptions, USAGE } from './bench/options.ts';
import { PodFactory } from './bench/payloads.ts';
import type { Phase } from './bench/phase.ts';
import { PHASES } from './bench/phases/index.ts';
import { dockerChildrenOf, memoryOf, treeMemoryOf } from './bench/proc.ts';
import { evaluateTargets, renderSummary } from './bench/report.ts';
import type { BenchResults, StepResult } from './bench/results.ts';
import { freePort, type RunningSidecar, sleep, startNodeFlags, startSidecar } from './bench/sidecar.ts';
import { round } from './bench/stats.ts';

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

/** CLOCK_MONOTONIC in microseconds, the clock V8's .cpuprofile timestamps use. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function measureStep(
  ctx: Ctx,
  windows: BenchResults['phaseWindows'],
  opts: BenchOptions,
  phases: readonly Phase[],
  pods: number,
  first: boolean,
): Promise<StepResult> {
  const pid = ctx.sidecar.pid;
  const created = pods - ctx.pods.length;
  const step: StepResult = {
    pods,
    created,
    toRunning: { ms: 0, running: 0, total: 0 },
    dockerChildrenIdle: [],
    phases: {},
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
  for (const phase of phases) {
    if (!phase.step) continue;
    const fromUs = monotonicUs();
    step.phases[phase.id] = await phase.step(ctx, opts, { pods, created, first });
    windows.push({ phase: phase.id, pods, fromUs, toUs: monotonicUs() });
  }
  step.memoryAfterMeasure = memoryOf(pid);
  step.treeAfterMeasure = treeMemoryOf(ctx.sidecar.child.pid as number);
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
    // npm start's own banner ("> pkg start", "> node dist/...") is not the sidecar's log.
    if (!line || line.startsWith('> ')) continue;
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

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const unknown = opts.phases?.filter((id) => !PHASES.some((p) => p.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `--phases: no phase ${unknown.join(', ')} (there are ${PHASES.map((p) => p.id).join(', ')})\n`,
    );
    process.exit(2);
  }
  const phases = PHASES.filter((p) => !opts.phases || opts.phases.includes(p.id));
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

  const ticksAtStart = cpuTicks();
  const results: BenchResults = {
    machine: await machineInfo(REPO),
    options: { ...opts, command: COMMAND },
    instance,
    sidecar: {
      startupMs: 0,
      pid: 0,
      startedAs:
        opts.start === 'npm' ? 'npm start' : `node ${startNodeFlags(REPO).join(' ')} dist/src/main.mjs`,
      logLines: {},
      logProblems: [],
    },
    steps: [],
    phaseWindows: [],
    phases: {},
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
      via: opts.start,
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.cpuProfDir)] : [],
    });
    results.sidecar.memoryAtStart = memoryOf(sidecar.pid);
    results.sidecar.treeAtStart = treeMemoryOf(sidecar.child.pid as number);
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
        results.steps.push(
          await measureStep(ctx, results.phaseWindows, opts, phases, pods, results.steps.length === 0),
        );
      }
      for (const phase of phases) {
        if (phase.end) results.phases[phase.id] = await phase.end(ctx, opts, results);
      }
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
  results.machine.stealPercent = stealPercentSince(ticksAtStart);
  results.targets = evaluateTargets(results, opts, phases);

  const outDir = resolve(REPO, opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(results, (_k, v) => (typeof v === 'number' ? round(v, 4) : v), 2);
  writeFileSync(join(outDir, 'latest.json'), `${json}\n`);
  const summary = renderSummary(results, opts, phases);
  writeFileSync(join(outDir, 'latest.txt'), summary);
  const written = ['latest.json', 'latest.txt'];
  for (const phase of phases) {
    for (const [name, content] of Object.entries(phase.files?.(results, opts) ?? {})) {
      writeFileSync(join(outDir, name), content);
      written.push(name);
    }
  }
  process.stdout.write(`\n${summary}`);
  progress(`wrote ${written.join(', ')} in ${opts.outDir} (${results.durationSeconds.toFixed(0)} s)`);
  process.exit(results.error ? 1 : 0);
}

await main();
