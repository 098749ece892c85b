/**
 * GET /status, one pod per request as interLink polls, against what a client of Docker pays for
 * the same answer: a `docker inspect` CLI call, and `GET /containers/{id}/json` on the Engine API.
 */

import { docker } from '../docker.ts';
import { EngineApi, engineSocket } from '../engine-api.ts';
import { closedLoop, type LoadResult } from '../load.ts';
import { mainContainersByPod, type SidecarLoad, statusLoad } from '../measure.ts';
import { type Phase, stepData } from '../phase.ts';
import type { BenchResults, StepResult, Target } from '../results.ts';
import { fmt } from '../stats.ts';
import { lineChart } from '../svg-chart.ts';
import { at, atLoad, errorLines, lat, loHi, spawns, table, verdict } from '../table.ts';

export interface StatusStep {
  status: SidecarLoad[];
  /** One `docker inspect <id>` CLI call per request. */
  inspect: LoadResult[];
  /** The pod's containers inspected over the Engine API; absent when the socket is unreachable. */
  api: LoadResult[];
}

const ID = 'status';
const data = (s: StepResult) => stepData<StatusStep>(s, ID);

export const statusPhase: Phase = {
  id: ID,
  async step(ctx, opts, info) {
    const pods = await mainContainersByPod(ctx.instance);
    const ids = pods.map((p) => p[0] as string);
    const socket = engineSocket();
    const api = socket ? new EngineApi(socket) : undefined;
    const out: StatusStep = { status: [], inspect: [], api: [] };
    if (opts.warmupMs > 0) {
      // interLink polls without pause: measure the warm steady state. The first step gets 5x the
      // warm-up, or a cold JIT makes the smallest step look slow and the scaling ratio look good.
      const ms = info.first ? 5 * opts.warmupMs : opts.warmupMs;
      await statusLoad(ctx, Math.max(...opts.statusConcurrency), ms, opts.maxRequests);
    }
    try {
      // Interleaved per concurrency, so a change in the machine's load hits both sides alike.
      for (const c of opts.statusConcurrency) {
        ctx.progress(`step ${info.pods}: /status, Engine API and docker inspect at concurrency ${c}`);
        out.status.push(await statusLoad(ctx, c, opts.durationMs, opts.maxRequests));
        if (api) {
          const load = (ms: number) =>
            closedLoop({
              concurrency: c,
              durationMs: ms,
              maxRequests: opts.maxRequests,
              op: async (i) => void (await api.inspectAll(pods[i % pods.length] as string[])),
            });
          if (opts.warmupMs > 0) await load(opts.warmupMs);
          out.api.push(await load(opts.durationMs));
        }
        out.inspect.push(
          await closedLoop({
            concurrency: c,
            durationMs: opts.durationMs,
            maxRequests: opts.maxRequests,
            op: async (i) => void (await docker(['inspect', ids[i % ids.length] as string])),
          }),
        );
      }
    } finally {
      api?.close();
    }
    return out;
  },

  render(r, opts) {
    const rows: string[][] = [];
    const problems: [string, LoadResult | undefined][] = [];
    for (const s of r.steps) {
      const d = data(s);
      for (const c of opts.statusConcurrency) {
        const ours = atLoad(d?.status, c);
        const api = at(d?.api, c);
        const cli = at(d?.inspect, c);
        problems.push(
          [`/status c=${c} at ${s.pods}`, ours?.load],
          [`Engine API c=${c}`, api],
          [`inspect c=${c}`, cli],
        );
        const p50 = ours?.load.latencyMs.p50 ?? Number.NaN;
        rows.push([
          String(s.pods),
          String(c),
          lat(ours?.load, 'p50'),
          lat(ours?.load, 'p95'),
          fmt(ours?.load.perSecond, 0),
          fmt(ours?.cpuMsPerRequest, 3),
          ours ? spawns(ours) : '-',
          lat(api, 'p50'),
          lat(api, 'p95'),
          fmt(api?.perSecond, 0),
          `${fmt(p50 / (api?.latencyMs.p50 ?? Number.NaN), 2)}×`,
          lat(cli, 'p50'),
          fmt(cli?.perSecond, 1),
          `${fmt(p50 / (cli?.latencyMs.p50 ?? Number.NaN), 3)}×`,
        ]);
      }
    }
    return [
      'Status: GET /status (one pod per request) vs the Engine API (GET /containers/{id}/json of the',
      "pod's containers, keep-alive over the socket) vs one `docker inspect <id>` CLI call",
      table(
        [
          'pods',
          'conc',
          'p50 ms',
          'p95 ms',
          'req/s',
          'cpu ms/req',
          'docker spawned',
          'API p50',
          'API p95',
          'API req/s',
          'ours/API p50',
          'CLI p50',
          'CLI req/s',
          'ours/CLI p50',
        ],
        rows,
      ),
      ...errorLines(problems),
    ].join('\n');
  },

  targets(r, opts) {
    const { lo, hi } = loHi(opts.statusConcurrency);
    const first = r.steps[0];
    const last = r.steps[r.steps.length - 1];
    if (!first || !last || !data(last)) return [];
    const targets: Target[] = [];
    const ours = (s: StepResult, c: number) => atLoad(data(s)?.status, c)?.load;
    for (const c of [...new Set([lo, hi])]) {
      const worst = r.steps.reduce(
        (m, s) =>
          Math.max(
            m,
            (ours(s, c)?.latencyMs.p50 ?? Number.NaN) / (at(data(s)?.api, c)?.latencyMs.p50 ?? Number.NaN),
          ),
        Number.NEGATIVE_INFINITY,
      );
      targets.push({
        id: `status-vs-api-p50-c${c}`,
        what: `/status p50 / Engine API inspect p50 (c=${c}, worst step)`,
        target: '<= 1.0x',
        measured: Number.isFinite(worst) ? `${fmt(worst, 2)}x` : 'no Engine API socket',
        verdict: verdict(Number.isFinite(worst) ? worst <= 1.0 : undefined),
      });
    }
    const rps = ours(last, hi)?.perSecond;
    const apiRps = at(data(last)?.api, hi)?.perSecond;
    targets.push({
      id: 'status-vs-api-throughput',
      what: `/status req/s vs Engine API inspect req/s (c=${hi}, ${last.pods} pods)`,
      target: '>= 1.0x',
      measured: `${fmt(rps, 0)}/s vs ${fmt(apiRps, 0)}/s`,
      verdict: verdict(rps !== undefined && apiRps !== undefined ? rps >= apiRps : undefined),
    });
    const s = ours(last, lo)?.latencyMs.p50;
    const cli = at(data(last)?.inspect, lo)?.latencyMs.p50;
    targets.push({
      id: 'status-vs-inspect',
      what: `/status p50 vs one \`docker inspect\` CLI call (c=${lo}, ${last.pods} pods)`,
      target: '>= 20x lower',
      measured: `${fmt(cli && s ? cli / s : Number.NaN, 1)}x lower (${fmt(s, 3)} ms vs ${fmt(cli, 1)} ms)`,
      verdict: verdict(cli && s ? cli / s >= 20 : undefined),
    });
    const pLo = ours(first, lo)?.latencyMs.p50;
    const growth = r.steps.length > 1 && pLo && s ? s / pLo : Number.NaN;
    targets.push({
      id: 'status-scaling',
      what: `/status p50 at the largest step vs the smallest (c=${lo})`,
      target: '<= 1.25x (flat)',
      measured:
        r.steps.length > 1
          ? `${fmt(growth, 2)}x (${fmt(s, 3)} ms at ${last.pods} pods, ${fmt(pLo, 3)} ms at ${first.pods})`
          : 'one step only: use --steps',
      verdict: verdict(Number.isFinite(growth) ? growth <= 1.25 : undefined),
    });
    return targets;
  },

  files(r, opts) {
    if (r.steps.length === 0) return {} as Record<string, string>;
    const { lo } = loHi(opts.statusConcurrency);
    return { 'status-latency.svg': chart(r, lo) };
  },
};

function chart(r: BenchResults, c: number): string {
  const pts = (f: (s: StepResult) => number | undefined): [number, number][] =>
    r.steps.map((s) => [s.pods, f(s) ?? Number.NaN]);
  const ours = (s: StepResult) => atLoad(data(s)?.status, c)?.load.latencyMs;
  const api = (s: StepResult) => at(data(s)?.api, c)?.latencyMs;
  const cli = (s: StepResult) => at(data(s)?.inspect, c)?.latencyMs;
  return lineChart({
    title: 'GET /status latency vs the Engine API and the docker CLI',
    subtitle: `one pod per request, concurrency ${c}; ${r.machine.cores} cores, ${r.machine.date.slice(0, 10)}`,
    xLabel: 'pods managed by the sidecar',
    yLabel: 'latency (ms, log scale)',
    logX: true,
    logY: true,
    series: [
      { name: '/status p50', color: '#1f77b4', points: pts((s) => ours(s)?.p50) },
      { name: '/status p95', color: '#1f77b4', dashed: true, points: pts((s) => ours(s)?.p95) },
      { name: 'Engine API p50', color: '#2ca02c', points: pts((s) => api(s)?.p50) },
      { name: 'Engine API p95', color: '#2ca02c', dashed: true, points: pts((s) => api(s)?.p95) },
      { name: 'docker inspect p50', color: '#d62728', points: pts((s) => cli(s)?.p50) },
    ],
  });
}
