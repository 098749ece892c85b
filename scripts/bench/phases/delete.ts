/** Deletes every pod through the sidecar at the end, against the raw `docker rm -f` of each step. */
import { containersWithLabel } from '../docker.ts';
import { deletePods, type SidecarLoad } from '../measure.ts';
import { type Phase, runData } from '../phase.ts';
import type { BenchResults } from '../results.ts';
import { sleep } from '../sidecar.ts';
import { fmt } from '../stats.ts';
import { errorLines, lat, rate, table, verdict } from '../table.ts';
import { createData } from './create.ts';

export interface DeleteRun {
  sidecar: SidecarLoad;
  leftoverContainers: number;
}

const ID = 'delete';
const data = (r: BenchResults) => runData<DeleteRun>(r, ID);
const OWNER_LABEL = 'io.interlink.docker-plugin.instance';

export const deletePhase: Phase = {
  id: ID,
  async end(ctx, opts) {
    ctx.progress(`deleting ${ctx.pods.length} pods at concurrency ${opts.deleteConcurrency}`);
    const sidecar = await deletePods(ctx, opts.deleteConcurrency);
    let left = await containersWithLabel(OWNER_LABEL, ctx.instance);
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await sleep(500);
      left = await containersWithLabel(OWNER_LABEL, ctx.instance);
    }
    return { sidecar, leftoverContainers: left.length } satisfies DeleteRun;
  },

  render(r) {
    const del = data(r);
    if (!del) return '';
    const d = del.sidecar.load;
    return [
      'Delete (sidecar POST /delete of every pod vs raw docker rm -f)',
      table(
        ['pods', 'ours pods/s', 'p50 ms', 'p95 ms', 'raw rm -f/s', 'raw pod rm/s (--raw-pod)', 'left over'],
        [
          [
            String(d.requests),
            fmt(d.perSecond),
            lat(d, 'p50'),
            lat(d, 'p95'),
            fmt(rate(r.steps.map((s) => createData(s)?.rawRm))),
            fmt(rate(r.steps.map((s) => createData(s)?.rawPodRm))),
            String(del.leftoverContainers),
          ],
        ],
      ),
      ...errorLines([['delete', d]]),
    ].join('\n');
  },

  targets(r) {
    const del = data(r);
    if (!del) return [];
    const ours = rate([del.sidecar.load]);
    const raw = rate(r.steps.map((s) => createData(s)?.rawRm));
    const rawPod = rate(r.steps.map((s) => createData(s)?.rawPodRm));
    const ratio = raw / ours;
    return [
      {
        id: 'delete-vs-docker',
        what: 'delete throughput vs raw `docker rm -f` (same concurrency)',
        target: 'raw <= 1.15x ours',
        measured: `raw is ${fmt(ratio, 2)}x ours (${fmt(ours, 2)} pods/s vs ${fmt(raw, 2)}/s${Number.isFinite(rawPod) ? `; sandbox+container by hand: ${fmt(rawPod, 2)} pods/s` : ''})`,
        verdict: verdict(Number.isFinite(ratio) ? ratio <= 1.15 : undefined),
      },
      {
        id: 'delete-leaves-nothing',
        what: 'containers of the instance left after deleting every pod',
        target: '0',
        measured: String(del.leftoverContainers),
        verdict: verdict(del.leftoverContainers === 0),
      },
    ];
  },
};
