/**
 * What the sidecar costs the host while it holds the pods: resident memory of its node process
 * alone and of the whole tree `npm start` makes (npm, sh, node and its docker children), and its
 * docker processes when idle (only the one events stream should be there).
 */
import type { Phase } from '../phase.ts';
import type { StepResult } from '../results.ts';
import { fmt } from '../stats.ts';
import { table, verdict } from '../table.ts';

const rssOf = (s: StepResult) => Math.max(s.memoryAfterCreate?.rssMb ?? 0, s.memoryAfterMeasure?.rssMb ?? 0);

export const processPhase: Phase = {
  id: 'process',
  render(r) {
    const start = r.sidecar.memoryAtStart;
    const tree = r.sidecar.treeAtStart;
    const head = `Sidecar process (started as ${r.sidecar.startedAs}): at start node ${fmt(start?.rssMb, 1)} MB, tree ${fmt(tree?.rssMb, 1)} MB`;
    if (r.steps.length === 0) return head;
    return [
      head,
      table(
        [
          'pods',
          'node RSS MB after create',
          'after measuring',
          'node peak MB',
          'tree RSS MB',
          'docker children when idle',
        ],
        r.steps.map((s) => [
          String(s.pods),
          fmt(s.memoryAfterCreate?.rssMb, 1),
          fmt(s.memoryAfterMeasure?.rssMb, 1),
          fmt(s.memoryAfterMeasure?.hwmMb, 1),
          fmt(s.treeAfterMeasure?.rssMb, 1),
          s.dockerChildrenIdle.map((k) => k.verb).join(', ') || 'none',
        ]),
      ),
    ].join('\n');
  },

  targets(r) {
    const start = r.sidecar.memoryAtStart?.rssMb;
    const targets = [
      {
        id: 'rss-start',
        what: "the sidecar's node process RSS at start",
        target: '<= 80 MB',
        measured: `${fmt(start, 1)} MB (tree ${fmt(r.sidecar.treeAtStart?.rssMb, 1)} MB)`,
        verdict: verdict(start === undefined ? undefined : start <= 80),
      },
    ];
    if (r.steps.length === 0) return targets;
    const big = r.steps.find((s) => s.pods >= 1000);
    const last = r.steps[r.steps.length - 1] as StepResult;
    const counts = r.steps.map((s) => s.dockerChildrenIdle.filter((c) => c.verb === 'events').length);
    return [
      ...targets,
      {
        id: 'rss-1000-pods',
        what: "the sidecar's node process RSS with 1000 pods",
        target: '<= 100 MB',
        measured: big
          ? `${fmt(rssOf(big), 1)} MB at ${big.pods} pods (tree ${fmt(big.treeAfterMeasure?.rssMb, 1)} MB)`
          : `no 1000-pod step; ${fmt(rssOf(last), 1)} MB at ${last.pods} pods`,
        verdict: verdict(big ? rssOf(big) <= 100 : undefined),
      },
      {
        id: 'one-events-stream',
        what: 'docker events processes of the sidecar at each step',
        target: 'exactly 1',
        measured: counts.join(', '),
        verdict: verdict(counts.every((n) => n === 1)),
      },
    ];
  },
};
