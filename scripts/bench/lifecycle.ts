/**
 * Create and delete, the plugin against the docker CLI making the same pods by hand
 * (lifecycle-pods.ts), side by side: create latency one pod at a time (plugin and CLI pods
 * alternate, so both see the same load), pods/s with many creates at once, and deletes with the
 * CPU of the process tree that drives Docker (the plugin's node process and its docker children;
 * the CLI's docker processes).
 */

import { readFileSync } from 'node:fs';
import type { PodStatus } from '../../src/contract/api-types.ts';
import {
  type CliPod,
  cliDeletePod,
  cliMultiContainerPod,
  cliOneContainerPod,
  multiContainerPod,
  type PodShape,
} from './lifecycle-pods.ts';
import { alternate, closedLoop, type LoadResult, mergeLoads, splitEvenly } from './load.ts';
import type { Ctx } from './measure.ts';
import type { BenchPod } from './payloads.ts';
import { childrenOf, daemonCpuSeconds, dockerChildrenOf } from './proc.ts';
import { sleep } from './sidecar.ts';
import { type LatencySummary, summarize } from './stats.ts';

export interface LifecycleCtx extends Ctx {
  pauseImage: string;
}

/** Pods made in the run, by who made them and their shape: the delete phase removes them. */
export interface Made {
  plugin: Record<PodShape, BenchPod[]>;
  cli: Record<PodShape, CliPod[]>;
}

export interface CreateLatency {
  shape: PodShape;
  /** Until /create answered. */
  pluginAnswer: LatencySummary;
  /** Until every container of the pod runs (and its init containers ended), as /status says. */
  pluginRunning: LatencySummary;
  /** The CLI sequence, until its last call returned (every container runs then). */
  cli: LatencySummary;
}

export interface DeleteCost {
  shape: PodShape;
  pods: number;
  concurrency: number;
  pluginMs: number;
  cliMs: number;
  /** CPU seconds of the plugin's node process and its docker children. */
  pluginCpuS: number;
  /** Of which the node process itself. */
  pluginNodeCpuS: number;
  /** CPU seconds of the CLI's docker processes. */
  cliCpuS: number;
}

/** The creates at once: each side's load, and the CPU seconds of its client and of the engine's daemons. */
export interface Burst {
  plugin: LoadResult;
  cli: LoadResult;
  cpu?: { pluginS: number; pluginNodeS: number; pluginDaemonS: number; cliS: number; cliDaemonS: number };
}

/** utime, stime, cutime, cstime of a process, in seconds. */
function cpuFields(pid: number | 'self'): [number, number, number, number] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3; utime..cstime are fields 14..17.
  return [11, 12, 13, 14].map((i) => Number(rest[i]) / 100) as [number, number, number, number];
}

/** CPU of a process with its children, reaped ones and those still running. */
function treeCpu(pid: number): number {
  const [u, s, cu, cs] = cpuFields(pid);
  const live = childrenOf(pid).reduce((sum, c) => sum + (c.utime + c.stime) / 100, 0);
  return u + s + cu + cs + live;
}

function ownCpu(pid: number): number {
  const [u, s] = cpuFields(pid);
  return u + s;
}

/** CPU of this process's children that have ended (the CLI's docker processes). */
function reapedChildrenCpu(): number {
  const [, , cu, cs] = cpuFields('self');
  return cu + cs;
}

/** Waits until the sidecar's only docker child is the events stream (the view's inspects done). */
export async function settled(pid: number): Promise<void> {
  for (let i = 0; i < 50 && dockerChildrenOf(pid).length > 1; i++) await sleep(100);
}

function podRunning(s: PodStatus | undefined, apps: number): boolean {
  if (!s) return false;
  const inits = s.initContainers ?? [];
  return (
    s.containers.length === apps &&
    s.containers.every((c) => c.state?.running) &&
    inits.every((c) => c.state?.terminated?.exitCode === 0)
  );
}

/** Posts the create and polls /status until the pod runs; the two times. */
async function pluginCreate(ctx: LifecycleCtx, p: BenchPod, apps: number): Promise<[number, number]> {
  const t0 = performance.now();
  const answer = JSON.parse(await ctx.sidecar.client.ok('POST', '/create', p.createBody)) as {
    PodJID: string;
  };
  const answered = performance.now() - t0;
  ctx.factory.created(p, answer.PodJID);
  for (;;) {
    const s = JSON.parse(await ctx.sidecar.client.ok('GET', '/status', p.statusBody)) as PodStatus[];
    if (podRunning(s[0], apps)) return [answered, performance.now() - t0];
    if (performance.now() - t0 > 120_000) throw new Error(`pod ${p.name} not running after 120 s`);
    await sleep(20);
  }
}

function cliCreate(ctx: LifecycleCtx, shape: PodShape, i: number): Promise<CliPod> {
  return shape === 'one'
    ? cliOneContainerPod(ctx.rawLabel, ctx.image, ctx.command)
    : cliMultiContainerPod(ctx.rawLabel, ctx.image, ctx.command, ctx.pauseImage, `${ctx.instance}-cli-${i}`);
}

/** `count` pods of the shape one at a time, plugin and CLI alternating. */
export async function createLatency(
  ctx: LifecycleCtx,
  made: Made,
  shape: PodShape,
  count: number,
): Promise<CreateLatency> {
  const answer: number[] = [];
  const running: number[] = [];
  const cli: number[] = [];
  const apps = shape === 'one' ? 1 : 4;
  for (let i = 0; i < count; i++) {
    const p = shape === 'one' ? ctx.factory.make() : multiContainerPod(ctx.factory);
    const [a, r] = await pluginCreate(ctx, p, apps);
    made.plugin[shape].push(p);
    answer.push(a);
    running.push(r);
    await settled(ctx.sidecar.pid);
    const t0 = performance.now();
    made.cli[shape].push(await cliCreate(ctx, shape, made.cli[shape].length));
    cli.push(performance.now() - t0);
  }
  return { shape, pluginAnswer: summarize(answer), pluginRunning: summarize(running), cli: summarize(cli) };
}

/**
 * One-container pods, `concurrency` creates at once: `count` through the plugin and `count` with
 * `docker run -d`, each in two parts run A B B A (what ran second would meet a busier daemon).
 */
export async function createBurst(
  ctx: LifecycleCtx,
  made: Made,
  count: number,
  concurrency: number,
): Promise<Burst> {
  const sizes = splitEvenly(count, 2);
  const pid = ctx.sidecar.pid;
  const cpu = { pluginS: 0, pluginNodeS: 0, pluginDaemonS: 0, cliS: 0, cliDaemonS: 0 };
  const sides = await alternate(2, async (side, k) => {
    await settled(pid);
    const [tree0, node0, cli0, daemon0] = [
      treeCpu(pid),
      ownCpu(pid),
      reapedChildrenCpu(),
      daemonCpuSeconds(),
    ];
    const op =
      side === 'a'
        ? async () => {
            const p = ctx.factory.make();
            const answer = JSON.parse(await ctx.sidecar.client.ok('POST', '/create', p.createBody)) as {
              PodJID: string;
            };
            ctx.factory.created(p, answer.PodJID);
            made.plugin.one.push(p);
          }
        : async () => {
            made.cli.one.push(await cliOneContainerPod(ctx.rawLabel, ctx.image, ctx.command));
          };
    const load = await closedLoop({ concurrency, maxRequests: sizes[k] as number, keepSamples: true, op });
    // What the creates set off (the view's reads after their events) counts too.
    if (side === 'a') await settled(pid);
    const daemon = daemonCpuSeconds() - daemon0;
    if (side === 'a') {
      cpu.pluginS += treeCpu(pid) - tree0;
      cpu.pluginNodeS += ownCpu(pid) - node0;
      cpu.pluginDaemonS += daemon;
    } else {
      cpu.cliS += reapedChildrenCpu() - cli0;
      cpu.cliDaemonS += daemon;
    }
    return load;
  });
  return { plugin: mergeLoads(sides.a), cli: mergeLoads(sides.b), cpu };
}

/**
 * Deletes every pod of the shape, `concurrency` at once, the plugin's and the CLI's alternating in
 * parts (A B B A ...): times and CPU summed over each side's parts.
 */
export async function deleteCost(
  ctx: LifecycleCtx,
  made: Made,
  shape: PodShape,
  concurrency: number,
): Promise<DeleteCost> {
  const pid = ctx.sidecar.pid;
  const pods = made.plugin[shape].splice(0);
  const cliPods = made.cli[shape].splice(0);
  // Parts of at least two rounds of `concurrency`, up to four per side.
  const parts = Math.max(
    1,
    Math.min(4, Math.floor(Math.min(pods.length, cliPods.length) / (2 * concurrency))),
  );
  const ours = splitEvenly(pods.length, parts);
  const theirs = splitEvenly(cliPods.length, parts);
  const cost = { pluginMs: 0, cliMs: 0, pluginCpuS: 0, pluginNodeCpuS: 0, cliCpuS: 0 };
  await alternate(parts, async (side, k) => {
    await settled(pid);
    if (side === 'a') {
      const batch = pods.splice(0, ours[k] as number);
      const cpu0 = treeCpu(pid);
      const node0 = ownCpu(pid);
      const t0 = performance.now();
      await closedLoop({
        concurrency,
        maxRequests: batch.length,
        op: async (i) => {
          await ctx.sidecar.client.ok('POST', '/delete', (batch[i] as BenchPod).deleteBody);
        },
      });
      cost.pluginMs += performance.now() - t0;
      // What the deletes set off (the view's reads after their events) counts too.
      await settled(pid);
      cost.pluginCpuS += treeCpu(pid) - cpu0;
      cost.pluginNodeCpuS += ownCpu(pid) - node0;
    } else {
      const batch = cliPods.splice(0, theirs[k] as number);
      const c0 = reapedChildrenCpu();
      const t1 = performance.now();
      await closedLoop({
        concurrency,
        maxRequests: batch.length,
        op: (i) => cliDeletePod(batch[i] as CliPod),
      });
      cost.cliMs += performance.now() - t1;
      cost.cliCpuS += reapedChildrenCpu() - c0;
    }
  });
  return { shape, pods: ours.reduce((a, b) => a + b, 0), concurrency, ...cost };
}
