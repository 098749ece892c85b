/**
 * Each measurement of the run, sidecar and docker CLI side by side: creates, status polls,
 * log reads and deletes through the plugin; run, inspect, logs and rm -f straight with docker.
 */
import type { CreateStruct, PodStatus } from '../../src/contract/api-types.ts';
import { docker } from './docker.ts';
import { closedLoop, type LoadResult, mergeLoads } from './load.ts';
import type { BenchPod, PodFactory } from './payloads.ts';
import { cpuSecondsOf, watchDockerChildren } from './proc.ts';
import { type RunningSidecar, sleep } from './sidecar.ts';

export interface Ctx {
  sidecar: RunningSidecar;
  factory: PodFactory;
  pods: BenchPod[];
  instance: string;
  /** Label put on the baseline's own containers, so clean-up finds them. */
  rawLabel: string;
  image: string;
  command: readonly string[];
  progress: (msg: string) => void;
}

/** Reports every tenth of a long loop, so a 1000-pod step does not look stuck. */
function ticker(ctx: Ctx, what: string, total: number): () => void {
  let done = 0;
  const every = Math.max(1, Math.ceil(total / 10));
  return () => {
    done++;
    if (total >= 100 && done % every === 0 && done < total) ctx.progress(`${what}: ${done}/${total}`);
  };
}

export interface SidecarLoad {
  load: LoadResult;
  /** Sidecar CPU seconds per 1000 requests, read from /proc. */
  cpuMsPerRequest: number;
  /** docker processes the sidecar had (sampled): the most at once, and distinct ones per verb. */
  dockerSpawns: { maxConcurrent: number; distinctByVerb: Record<string, number> };
}

/** Runs a load against the sidecar while watching its CPU time and docker children. */
async function watched(ctx: Ctx, run: () => Promise<LoadResult>): Promise<SidecarLoad> {
  const pid = ctx.sidecar.pid;
  const cpu0 = cpuSecondsOf(pid);
  const watch = watchDockerChildren(pid);
  const load = await run();
  const spawns = watch.stop();
  const cpu = cpuSecondsOf(pid) - cpu0;
  return {
    load,
    cpuMsPerRequest: load.requests ? (cpu * 1000) / load.requests : Number.NaN,
    dockerSpawns: { maxConcurrent: spawns.maxConcurrent, distinctByVerb: spawns.distinctByVerb },
  };
}

/** Loads measured in segments (each kept its samples), as one. */
export function mergeSidecarLoads(parts: readonly SidecarLoad[]): SidecarLoad {
  const load = mergeLoads(parts.map((p) => p.load));
  const cpuMs = parts.reduce((n, p) => n + p.cpuMsPerRequest * p.load.requests, 0);
  const distinctByVerb: Record<string, number> = {};
  for (const p of parts)
    for (const [verb, n] of Object.entries(p.dockerSpawns.distinctByVerb))
      distinctByVerb[verb] = (distinctByVerb[verb] ?? 0) + n;
  return {
    load,
    cpuMsPerRequest: load.requests ? cpuMs / load.requests : Number.NaN,
    dockerSpawns: {
      maxConcurrent: Math.max(0, ...parts.map((p) => p.dockerSpawns.maxConcurrent)),
      distinctByVerb,
    },
  };
}

export function createPods(ctx: Ctx, count: number, concurrency: number): Promise<SidecarLoad> {
  const tick = ticker(ctx, 'created', count);
  return watched(ctx, () =>
    closedLoop({
      concurrency,
      maxRequests: count,
      op: async () => {
        const p = ctx.factory.make();
        const answer = JSON.parse(
          await ctx.sidecar.client.ok('POST', '/create', p.createBody),
        ) as CreateStruct;
        if (answer.PodUID !== p.uid)
          throw new Error(`create answered PodUID ${answer.PodUID}, sent ${p.uid}`);
        ctx.factory.created(p, answer.PodJID);
        ctx.pods.push(p);
        tick();
      },
    }),
  );
}

function allRunning(s: PodStatus): boolean {
  return s.containers.length > 0 && s.containers.every((c) => c.state?.running);
}

/** Polls /status (batches of 100) until every pod's containers run; the time it took. */
export async function waitRunning(
  ctx: Ctx,
  timeoutMs: number,
): Promise<{ ms: number; running: number; total: number }> {
  const started = performance.now();
  let running = 0;
  for (;;) {
    running = 0;
    for (let i = 0; i < ctx.pods.length; i += 100) {
      const bodies = ctx.pods
        .slice(i, i + 100)
        .map((p) => (p.statusBody as Buffer).toString('utf8').slice(1, -1));
      const answer = JSON.parse(
        await ctx.sidecar.client.ok('GET', '/status', Buffer.from(`[${bodies.join(',')}]`)),
      ) as PodStatus[];
      running += answer.filter(allRunning).length;
    }
    const ms = performance.now() - started;
    if (running === ctx.pods.length || ms > timeoutMs) return { ms, running, total: ctx.pods.length };
    await sleep(200);
  }
}

/** GET /status with one pod per request, round-robin over every pod, checking each answer. */
export function statusLoad(ctx: Ctx, concurrency: number, durationMs: number, maxRequests: number) {
  const pods = ctx.pods;
  return watched(ctx, () =>
    closedLoop({
      concurrency,
      durationMs,
      maxRequests,
      op: async (i) => {
        const p = pods[i % pods.length] as BenchPod;
        const answer = JSON.parse(await ctx.sidecar.client.ok('GET', '/status', p.statusBody)) as PodStatus[];
        const s = answer[0];
        if (answer.length !== 1 || s?.UID !== p.uid) throw new Error(`/status answered for the wrong pod`);
        if (!allRunning(s)) throw new Error(`/status: pod ${p.name} is not running`);
      },
    }),
  );
}

/** GET /getLogs round-robin over the pods from pod `first` on; `keepSamples` for mergeSidecarLoads. */
export function getLogsLoad(ctx: Ctx, concurrency: number, requests: number, first = 0, keepSamples = false) {
  const pods = ctx.pods;
  return watched(ctx, () =>
    closedLoop({
      concurrency,
      maxRequests: requests,
      keepSamples,
      op: async (i) => {
        const p = pods[(first + i) % pods.length] as BenchPod;
        await ctx.sidecar.client.ok('GET', '/getLogs', p.logsBody);
      },
    }),
  );
}

/**
 * The ids of the pods' main containers, one list per pod, for the CLI and Engine API side of each
 * comparison (should the role label change, any container of the plugin is as good a target).
 */
export async function mainContainersByPod(instance: string): Promise<string[][]> {
  const owned = ['ps', '--no-trunc', '--filter', `label=io.interlink.docker-plugin.instance=${instance}`];
  const format = ['--format', '{{.ID}} {{.Label "io.interlink.pod.uid"}}'];
  let lines = (await docker([...owned, '--filter', 'label=io.interlink.container.role=main', ...format]))
    .split('\n')
    .filter(Boolean);
  if (lines.length === 0) lines = (await docker([...owned, ...format])).split('\n').filter(Boolean);
  const byPod = new Map<string, string[]>();
  for (const line of lines) {
    const [id, uid = ''] = line.split(' ');
    if (!id) continue;
    const list = byPod.get(uid) ?? [];
    list.push(id);
    byPod.set(uid, list);
  }
  return [...byPod.values()];
}

export interface RawRun {
  /** Container ids made, in groups (one per "pod"); removed by rawRemove. */
  groups: string[][];
  load: LoadResult;
}

/** `docker run -d IMAGE CMD`, one container per op: the floor for a create. */
export async function rawRun(ctx: Ctx, count: number, concurrency: number): Promise<RawRun> {
  const groups: string[][] = [];
  const load = await closedLoop({
    concurrency,
    maxRequests: count,
    op: async () => {
      const id = (await docker(['run', '-d', '--label', ctx.rawLabel, ctx.image, ...ctx.command])).trim();
      groups.push([id]);
    },
  });
  return { groups, load };
}

/**
 * The same pod shape by hand: a sandbox (the plugin's pause image) holding the network, then the
 * container joining it. Two CLI calls per pod: the floor for this pod model, not for one container.
 */
export async function rawPodRun(
  ctx: Ctx,
  count: number,
  concurrency: number,
  pauseImage: string,
): Promise<RawRun> {
  const groups: string[][] = [];
  const load = await closedLoop({
    concurrency,
    maxRequests: count,
    op: async () => {
      const sandbox = (await docker(['run', '-d', '--label', ctx.rawLabel, pauseImage])).trim();
      const group = [sandbox];
      groups.push(group);
      const main = (
        await docker([
          'run',
          '-d',
          '--label',
          ctx.rawLabel,
          '--network',
          `container:${sandbox}`,
          ctx.image,
          ...ctx.command,
        ])
      ).trim();
      group.unshift(main);
    },
  });
  return { groups, load };
}

/** `docker rm -f` per container of each group, in order (for a pod: container, then sandbox). */
export function rawRemove(groups: readonly string[][], concurrency: number) {
  return closedLoop({
    concurrency,
    maxRequests: groups.length,
    op: async (i) => {
      for (const id of groups[i] as string[]) await docker(['rm', '-f', id]);
    },
  });
}

export function deletePods(ctx: Ctx, concurrency: number) {
  const pods = ctx.pods.splice(0);
  const tick = ticker(ctx, 'deleted', pods.length);
  return watched(ctx, () =>
    closedLoop({
      concurrency,
      maxRequests: pods.length,
      op: async (i) => {
        await ctx.sidecar.client.ok('POST', '/delete', (pods[i] as BenchPod).deleteBody);
        tick();
      },
    }),
  );
}
