/**
 * The cost of being polled: every pod asked for once every 5 s, as interLink polls (pods / 5
 * requests per second, paced, not flat out), and the CPU time the sidecar's process spent on it
 * over that window, as a share of one core.
 */

import type { PodStatus } from '../../../src/contract/api-types.ts';
import { startFloorServer } from '../floor.ts';
import type { LoadResult } from '../load.ts';
import { paced } from '../load.ts';
import type { BenchPod } from '../payloads.ts';
import { type Phase, stepData } from '../phase.ts';
import { cpuSecondsOf } from '../proc.ts';
import type { BenchResults, StepResult } from '../results.ts';
import { fmt } from '../stats.ts';
import { lineChart } from '../svg-chart.ts';
import { errorLines, lat, table, verdict } from '../table.ts';

/** interLink asks for each pod's status every 5 s. */
export const POLL_PERIOD_S = 5;

export interface PollingStep {
  load: LoadResult;
  /** CPU seconds the sidecar's node process used over the window. */
  cpuSeconds: number;
  /** cpuSeconds / window: 1.0 is one core busy. */
  coreShare: number;
  /** The same pace against a bare node:http server answering the same bytes (floor-server.mjs). */
  floorCoreShare?: number;
}

const ID = 'polling';
const data = (s: StepResult) => stepData<PollingStep>(s, ID);

export const pollingPhase: Phase = {
  id: ID,
  async step(ctx, opts, info) {
    const pods = ctx.pods;
    const perSecond = pods.length / POLL_PERIOD_S;
    ctx.progress(
      `step ${info.pods}: polled as interLink polls, ${perSecond} req/s for ${opts.pollWindowMs / 1000} s`,
    );
    const pid = ctx.sidecar.pid;
    let answer = '';
    const { load, coreShare, cpuSeconds } = await pollWindow(pid, perSecond, opts.pollWindowMs, async (i) => {
      const p = pods[i % pods.length] as BenchPod;
      const body = await ctx.sidecar.client.ok('GET', '/status', p.statusBody);
      if ((JSON.parse(body) as PodStatus[])[0]?.UID !== p.uid)
        throw new Error('/status answered for the wrong pod');
      answer ||= body;
    });
    // The same pace and bodies against a server that does nothing but answer: Node's and the
    // kernel's share of the cost, on this machine, in this run.
    ctx.progress(`step ${info.pods}: the same against a bare node:http server`);
    const floor = await startFloorServer(answer);
    try {
      // Warm, as the plugin is by now: a cold JIT would bill its compiling to the window.
      for (let i = 0; i < 500; i++)
        await floor.client.ok('GET', '/status', (pods[i % pods.length] as BenchPod).statusBody);
      const f = await pollWindow(floor.pid, perSecond, opts.pollWindowMs, async (i) => {
        const p = pods[i % pods.length] as BenchPod;
        await floor.client.ok('GET', '/status', p.statusBody);
      });
      return { load, cpuSeconds, coreShare, floorCoreShare: f.coreShare } satisfies PollingStep;
    } finally {
      floor.stop();
    }
  },

  render(r) {
    const rows = r.steps.flatMap((s) => {
      const d = data(s);
      return d
        ? [
            [
              String(s.pods),
              fmt(d.load.perSecond, 1),
              lat(d.load, 'p50'),
              lat(d.load, 'p95'),
              fmt(d.cpuSeconds, 2),
              `${fmt(d.coreShare * 100, 2)}%`,
              d.floorCoreShare === undefined ? '' : `${fmt(d.floorCoreShare * 100, 2)}%`,
            ],
          ]
        : [];
    });
    if (rows.length === 0) return '';
    return [
      `Polled as interLink polls (each pod every ${POLL_PERIOD_S} s): the sidecar's CPU over the window`,
      table(['pods', 'req/s', 'p50 ms', 'p95 ms', 'CPU s', 'of one core', 'bare node:http, same pace'], rows),
      ...errorLines(r.steps.map((s) => [`polling at ${s.pods}`, data(s)?.load])),
    ].join('\n');
  },

  targets(r) {
    const measured = r.steps.filter((s) => data(s));
    const big = measured.find((s) => s.pods >= 1000);
    const last = measured[measured.length - 1];
    if (!last) return [];
    const share = (s: StepResult) => (data(s)?.coreShare ?? Number.NaN) * 100;
    const floor = (s: StepResult) => (data(s)?.floorCoreShare ?? Number.NaN) * 100;
    return [
      {
        id: 'polling-cpu-1000-pods',
        what: `sidecar CPU with 1000 pods polled every ${POLL_PERIOD_S} s (200 req/s)`,
        target: '<= 5% of one core',
        measured: `${
          big
            ? `${fmt(share(big), 2)}% at ${big.pods} pods`
            : `no 1000-pod step; ${fmt(share(last), 2)}% at ${last.pods} pods`
        } (a bare node:http server at the same pace: ${fmt(floor(big ?? last), 2)}%)`,
        verdict: verdict(big ? share(big) <= 5 : undefined),
      },
    ];
  },

  files(r) {
    const files: Record<string, string> = {};
    if (r.steps.some((s) => data(s))) files['polling-cpu.svg'] = chart(r);
    return files;
  },
};

/** `perSecond` paced requests for `windowMs`, and the CPU the process `pid` used meanwhile. */
async function pollWindow(
  pid: number,
  perSecond: number,
  windowMs: number,
  op: (i: number) => Promise<void>,
) {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  const load = await paced({ perSecond, durationMs: windowMs, op });
  const cpuSeconds = cpuSecondsOf(pid) - cpu0;
  return { load, cpuSeconds, coreShare: cpuSeconds / ((performance.now() - t0) / 1000) };
}

function chart(r: BenchResults): string {
  return lineChart({
    title: 'Sidecar CPU while polled as interLink polls',
    subtitle: `each pod's /status every ${POLL_PERIOD_S} s; ${r.machine.cores} cores, ${r.machine.date.slice(0, 10)}`,
    xLabel: 'pods managed by the sidecar',
    yLabel: '% of one core',
    logX: true,
    logY: false,
    series: [
      {
        name: 'sidecar CPU',
        color: '#1f77b4',
        points: r.steps.map((s) => [s.pods, (data(s)?.coreShare ?? Number.NaN) * 100]),
      },
      {
        name: 'bare node:http server, same pace',
        color: '#7f7f7f',
        points: r.steps.map((s) => [s.pods, (data(s)?.floorCoreShare ?? Number.NaN) * 100]),
      },
      { name: 'target (5%)', color: '#d62728', dashed: true, points: r.steps.map((s) => [s.pods, 5]) },
    ],
  });
}
