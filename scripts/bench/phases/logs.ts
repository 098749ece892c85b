/** GET /getLogs against `docker logs <id>` itself and the Engine API's logs endpoint. */
import { docker } from '../docker.ts';
import { EngineApi, engineSocket } from '../engine-api.ts';
import { alternate, closedLoop, type LoadResult, mergeLoads, splitEvenly } from '../load.ts';
import { getLogsLoad, mainContainersByPod, mergeSidecarLoads, type SidecarLoad } from '../measure.ts';
import { type Phase, stepData } from '../phase.ts';
import type { StepResult, Target } from '../results.ts';
import { fmt } from '../stats.ts';
import { at, atLoad, errorLines, lat, loHi, table, verdict } from '../table.ts';

export interface LogsStep {
  getLogs: SidecarLoad[];
  dockerLogs: LoadResult[];
  api: LoadResult[];
}

const ID = 'logs';
const data = (s: StepResult) => stepData<LogsStep>(s, ID);

export const logsPhase: Phase = {
  id: ID,
  async step(ctx, opts, info) {
    const ids = (await mainContainersByPod(ctx.instance)).map((p) => p[0] as string);
    const socket = engineSocket();
    const api = socket ? new EngineApi(socket) : undefined;
    const out: LogsStep = { getLogs: [], dockerLogs: [], api: [] };
    const n = opts.logsRequests;
    try {
      for (const c of opts.statusConcurrency) {
        ctx.progress(`step ${info.pods}: ${n} /getLogs, docker logs and Engine API logs at concurrency ${c}`);
        // The plugin and the CLI alternate in parts of at least three rounds of `c` (A B B A):
        // run one after the other, whichever came second met a different machine.
        const parts = Math.max(1, Math.min(4, Math.floor(n / (3 * c))));
        const sizes = splitEvenly(n, parts);
        const from = (k: number) => sizes.slice(0, k).reduce((a, b) => a + b, 0);
        const sides = await alternate(parts, async (side, k) => {
          const size = sizes[k] as number;
          if (side === 'a') return { ours: await getLogsLoad(ctx, c, size, from(k), true) };
          const cli = await closedLoop({
            concurrency: c,
            maxRequests: size,
            keepSamples: true,
            op: async (i) => void (await docker(['logs', ids[(from(k) + i) % ids.length] as string])),
          });
          return { cli };
        });
        out.getLogs.push(mergeSidecarLoads(sides.a.map((x) => x.ours as SidecarLoad)));
        out.dockerLogs.push(mergeLoads(sides.b.map((x) => x.cli as LoadResult)));
        if (api) {
          out.api.push(
            await closedLoop({
              concurrency: c,
              maxRequests: n,
              op: async (i) => void (await api.logs(ids[i % ids.length] as string)),
            }),
          );
        }
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
        const ours = atLoad(d?.getLogs, c)?.load;
        const cli = at(d?.dockerLogs, c);
        const api = at(d?.api, c);
        problems.push(
          [`/getLogs c=${c} at ${s.pods}`, ours],
          [`docker logs c=${c}`, cli],
          [`API logs c=${c}`, api],
        );
        rows.push([
          String(s.pods),
          String(c),
          String(ours?.requests ?? '-'),
          lat(ours, 'p50'),
          lat(ours, 'p95'),
          fmt(ours?.perSecond, 1),
          lat(cli, 'p50'),
          lat(cli, 'p95'),
          fmt(cli?.perSecond, 1),
          `${fmt((ours?.latencyMs.p50 ?? Number.NaN) / (cli?.latencyMs.p50 ?? Number.NaN), 2)}×`,
          lat(api, 'p50'),
          fmt(api?.perSecond, 0),
        ]);
      }
    }
    return [
      'Logs: GET /getLogs vs `docker logs <id>` (the two alternating in parts, A B B A) vs the Engine API logs endpoint (sleep prints nothing: the per-call cost)',
      table(
        [
          'pods',
          'conc',
          'requests',
          'ours p50',
          'p95',
          'req/s',
          'docker logs p50',
          'p95',
          'req/s',
          'ours/CLI p50',
          'API p50',
          'API req/s',
        ],
        rows,
      ),
      ...errorLines(problems),
    ].join('\n');
  },

  targets(r, opts) {
    const { lo, hi } = loHi(opts.statusConcurrency);
    if (!r.steps.some((s) => data(s))) return [];
    const targets: Target[] = [];
    for (const c of [...new Set([lo, hi])]) {
      const worst = r.steps.reduce((m, s) => {
        const ours = atLoad(data(s)?.getLogs, c)?.load.latencyMs.p50 ?? Number.NaN;
        return Math.max(m, ours / (at(data(s)?.dockerLogs, c)?.latencyMs.p50 ?? Number.NaN));
      }, Number.NEGATIVE_INFINITY);
      targets.push({
        id: `logs-vs-cli-c${c}`,
        what: `/getLogs p50 / \`docker logs\` p50 (c=${c}, worst step)`,
        target: '<= 1.1x',
        measured: `${fmt(worst, 2)}x`,
        verdict: verdict(Number.isFinite(worst) ? worst <= 1.1 : undefined),
      });
    }
    return targets;
  },
};
