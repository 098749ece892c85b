/**
 * Create and delete side by side with the docker CLI making the same pods by hand
 * (../lifecycle.ts): one-container and 2-init + 4-container pods one at a time, 64 one-container
 * pods 16 at once (and 64 by hand; with the CPU per pod of each side's client and of the engine), then every one of them deleted with the CPU of the process tree that drives
 * Docker. Its own pods, made and deleted here; `npm run bench:lifecycle` also counts the calls.
 */
import { BUILTIN_PAUSE_IMAGE } from '../../../src/docker/lifecycle/pause-image.ts';
import {
  type Burst,
  type CreateLatency,
  createBurst,
  createLatency,
  type DeleteCost,
  deleteCost,
  type Made,
} from '../lifecycle.ts';
import { type Phase, runData } from '../phase.ts';
import type { BenchResults, Target } from '../results.ts';
import { fmt } from '../stats.ts';
import { table, verdict } from '../table.ts';

/** What the phase measures: pods of each shape one at a time, the burst, deletes. */
const ONE_PODS = 16;
const MULTI_PODS = 5;
const BURST = 64;
const BURST_CONCURRENCY = 16;
const DELETE_CONCURRENCY = 8;

export interface LifecycleRun {
  one: CreateLatency;
  multi: CreateLatency;
  burst: Burst;
  delete: DeleteCost[];
}

const ID = 'lifecycle';
const data = (r: BenchResults) => runData<LifecycleRun>(r, ID);

export const lifecyclePhase: Phase = {
  id: ID,
  async end(ctx) {
    const lctx = { ...ctx, pauseImage: BUILTIN_PAUSE_IMAGE };
    const made: Made = { plugin: { one: [], multi: [] }, cli: { one: [], multi: [] } };
    ctx.progress(`lifecycle: ${ONE_PODS} one-container pods one at a time, plugin and CLI alternating`);
    const one = await createLatency(lctx, made, 'one', ONE_PODS);
    ctx.progress(`lifecycle: ${MULTI_PODS} pods of 2 init containers and 4 containers, alternating`);
    const multi = await createLatency(lctx, made, 'multi', MULTI_PODS);
    ctx.progress(`lifecycle: ${BURST} one-container pods, ${BURST_CONCURRENCY} at once`);
    const burst = await createBurst(lctx, made, BURST, BURST_CONCURRENCY);
    ctx.progress('lifecycle: deleting them');
    const del = [
      await deleteCost(lctx, made, 'one', DELETE_CONCURRENCY),
      await deleteCost(lctx, made, 'multi', DELETE_CONCURRENCY),
    ];
    return { one, multi, burst, delete: del } satisfies LifecycleRun;
  },

  render(r) {
    const d = data(r);
    if (!d) return '';
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;
    const rows = [d.one, d.multi].map((c) => [
      `create p50, ${c.shape === 'one' ? 'one container' : '2 init + 4 containers'} (answer / running)`,
      `${fmt(c.pluginAnswer.p50)} / ${fmt(c.pluginRunning.p50)} ms`,
      `${fmt(c.cli.p50)} ms`,
      ratio(c.pluginRunning.p50, c.cli.p50),
    ]);
    rows.push([
      `create pods/s, ${d.burst.plugin.concurrency} at once`,
      fmt(d.burst.plugin.perSecond),
      fmt(d.burst.cli.perSecond),
      ratio(d.burst.plugin.perSecond, d.burst.cli.perSecond),
    ]);
    const c = d.burst.cpu;
    if (c) {
      const perPod = (s: number, n: number) => `${fmt((s * 1000) / n)} ms`;
      const ours = d.burst.plugin.requests;
      const theirs = d.burst.cli.requests;
      rows.push(
        [
          '  CPU per pod: the client (the plugin: node and its docker)',
          `${perPod(c.pluginS, ours)} (node ${perPod(c.pluginNodeS, ours)})`,
          perPod(c.cliS, theirs),
          ratio(c.pluginS / ours, c.cliS / theirs),
        ],
        [
          '  CPU per pod: dockerd, containerd and shims',
          perPod(c.pluginDaemonS, ours),
          perPod(c.cliDaemonS, theirs),
          ratio(c.pluginDaemonS / ours, c.cliDaemonS / theirs),
        ],
      );
    }
    for (const x of d.delete) {
      const what = `${x.pods} ${x.shape === 'one' ? 'one-container' : 'multi-container'} pods`;
      rows.push(
        [
          `delete ${what}, total`,
          `${fmt(x.pluginMs / 1000)} s`,
          `${fmt(x.cliMs / 1000)} s`,
          ratio(x.pluginMs, x.cliMs),
        ],
        [
          `delete ${what}, CPU`,
          `${fmt(x.pluginCpuS)} s (node ${fmt(x.pluginNodeCpuS)} s)`,
          `${fmt(x.cliCpuS)} s`,
          ratio(x.pluginCpuS, x.cliCpuS),
        ],
      );
    }
    return [
      'Create and delete (the plugin vs the docker CLI making the same pods by hand)',
      table(['figure', 'plugin', 'docker CLI', 'plugin/CLI'], rows, true),
    ].join('\n');
  },

  targets(r) {
    const d = data(r);
    if (!d) return [];
    const t = (
      id: string,
      what: string,
      target: string,
      ours: number,
      theirs: number,
      ok: (x: number) => boolean,
    ): Target => {
      const x = ours / theirs;
      return {
        id,
        what,
        target,
        measured: `${fmt(x, 2)}x (${fmt(ours)} vs ${fmt(theirs)})`,
        verdict: verdict(Number.isFinite(x) ? ok(x) : undefined),
      };
    };
    const delOne = d.delete.find((x) => x.shape === 'one');
    return [
      t(
        'create-one-vs-cli',
        'one-container create p50, until it runs, vs `docker run -d`',
        '<= 1.0x',
        d.one.pluginRunning.p50,
        d.one.cli.p50,
        (x) => x <= 1.0,
      ),
      t(
        'create-multi-vs-cli',
        '2 init + 4 containers p50, until it runs, vs the CLI by hand',
        '<= 1.1x',
        d.multi.pluginRunning.p50,
        d.multi.cli.p50,
        (x) => x <= 1.1,
      ),
      t(
        'create-burst-vs-cli',
        `pods/s, ${BURST_CONCURRENCY} creates at once, vs \`docker run -d\``,
        '>= 1.0x',
        d.burst.plugin.perSecond,
        d.burst.cli.perSecond,
        (x) => x >= 1.0,
      ),
      ...(delOne
        ? [
            t(
              'delete-cpu-vs-cli',
              'CPU of the tree driving Docker, one-container deletes, vs `docker stop` + `docker rm`',
              '<= 1.1x',
              delOne.pluginCpuS,
              delOne.cliCpuS,
              (x) => x <= 1.1,
            ),
            t(
              'delete-time-vs-cli',
              'time of the one-container deletes vs `docker stop` + `docker rm`',
              '<= 1.0x',
              delOne.pluginMs,
              delOne.cliMs,
              (x) => x <= 1.0,
            ),
          ]
        : []),
    ];
  },
};
