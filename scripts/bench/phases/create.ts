/**
 * Creates: the sidecar's POST /create of each step's new pods (made by the core loop, kept at
 * step.create) against `docker run -d` by hand, and optionally a sandbox + container pair.
 */
import { BUILTIN_PAUSE_IMAGE } from '../../../src/docker/lifecycle/pause-image.ts';
import type { LoadResult } from '../load.ts';
import { rawPodRun, rawRemove, rawRun } from '../measure.ts';
import { type Phase, stepData } from '../phase.ts';
import type { StepResult } from '../results.ts';
import { fmt } from '../stats.ts';
import { errorLines, lat, rate, table, verdict } from '../table.ts';

export interface CreateStep {
  /** `docker run -d` of the same image and command, one container per call. */
  rawRun?: LoadResult;
  rawRm?: LoadResult;
  /** Sandbox + container by hand, two `docker run -d` per pod: the same pod shape as the plugin's. */
  rawPodRun?: LoadResult;
  rawPodRm?: LoadResult;
}

export const CREATE_ID = 'create';
export const createData = (s: StepResult) => stepData<CreateStep>(s, CREATE_ID);

export const createPhase: Phase = {
  id: CREATE_ID,
  async step(ctx, opts, info) {
    const out: CreateStep = {};
    const baseline = Math.min(info.created, opts.baselinePods);
    if (baseline === 0) return out;
    ctx.progress(`step ${info.pods}: raw docker run -d, then rm -f, of ${baseline} containers`);
    const raw = await rawRun(ctx, baseline, opts.createConcurrency);
    out.rawRun = raw.load;
    out.rawRm = await rawRemove(raw.groups, opts.deleteConcurrency);
    if (opts.rawPod) {
      ctx.progress(`step ${info.pods}: ${baseline} sandbox+container pairs by hand`);
      const rawPods = await rawPodRun(ctx, baseline, opts.createConcurrency, BUILTIN_PAUSE_IMAGE);
      out.rawPodRun = rawPods.load;
      out.rawPodRm = await rawRemove(rawPods.groups, opts.deleteConcurrency);
    }
    return out;
  },

  render(r) {
    if (r.steps.length === 0) return '';
    const problems: [string, LoadResult | undefined][] = [];
    const rows = r.steps.map((s) => {
      const d = createData(s);
      problems.push([`create at ${s.pods}`, s.create?.load], [`docker run at ${s.pods}`, d?.rawRun]);
      return [
        String(s.pods),
        String(s.created),
        fmt(s.create?.load.perSecond),
        lat(s.create?.load, 'p50'),
        lat(s.create?.load, 'p95'),
        fmt(d?.rawRun?.perSecond),
        lat(d?.rawRun, 'p50'),
        fmt(d?.rawPodRun?.perSecond),
        `${fmt(s.toRunning.ms / 1000)}${s.toRunning.running < s.toRunning.total ? ` (${s.toRunning.running}/${s.toRunning.total})` : ''}`,
      ];
    });
    return [
      'Create (sidecar POST /create vs raw docker run -d, same concurrency)',
      table(
        [
          'pods',
          'new',
          'ours pods/s',
          'p50 ms',
          'p95 ms',
          'raw run/s',
          'raw p50 ms',
          'raw pod/s (--raw-pod)',
          'all Running after s',
        ],
        rows,
      ),
      ...errorLines(problems),
    ].join('\n');
  },

  targets(r) {
    if (r.steps.length === 0) return [];
    const ours = rate(r.steps.map((s) => s.create?.load));
    const raw = rate(r.steps.map((s) => createData(s)?.rawRun));
    const rawPod = rate(r.steps.map((s) => createData(s)?.rawPodRun));
    const ratio = raw / ours;
    return [
      {
        id: 'create-vs-docker',
        what: 'create throughput vs raw `docker run -d` (same concurrency)',
        target: 'raw <= 1.15x ours',
        measured: `raw is ${fmt(ratio, 2)}x ours (${fmt(ours, 2)} pods/s vs ${fmt(raw, 2)}/s${Number.isFinite(rawPod) ? `; sandbox+container by hand: ${fmt(rawPod, 2)} pods/s` : ''})`,
        verdict: verdict(Number.isFinite(ratio) ? ratio <= 1.15 : undefined),
      },
    ];
  },
};
