/**
 * The human side of the results: each phase's section and targets (see phases/), the leak check,
 * the sidecar's log, and every target judged PASS or MISS (never asserted: a miss is a finding).
 */
import type { BenchOptions } from './options.ts';
import type { Phase } from './phase.ts';
import type { BenchResults, Target } from './results.ts';
import { fmt } from './stats.ts';
import { errorLines, table, verdict } from './table.ts';

export function evaluateTargets(r: BenchResults, opts: BenchOptions, phases: readonly Phase[]): Target[] {
  const targets = phases.flatMap((p) => p.targets?.(r, opts) ?? []);
  if (r.leak) {
    const kids = r.leak.dockerChildrenAtEnd;
    targets.push(
      {
        id: 'leak-docker-processes',
        what: `sidecar docker processes after ${r.leak.cycles} create/delete cycles`,
        target: '1 (events)',
        measured: `${kids.length} (${kids.map((k) => k.verb).join(', ') || 'none'})`,
        verdict: verdict(kids.length === 1 && kids[0]?.verb === 'events'),
      },
      {
        id: 'leak-containers',
        what: `containers left after ${r.leak.cycles} create/delete cycles`,
        target: '0',
        measured: String(r.leak.leftoverContainers),
        verdict: verdict(r.leak.leftoverContainers === 0),
      },
    );
  }
  return targets;
}

export function renderSummary(r: BenchResults, opts: BenchOptions, phases: readonly Phase[]): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `interLink docker plugin benchmark, ${m.date}`,
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryMb} MB; node ${m.node}; docker engine ${m.dockerEngine} (CLI ${m.dockerClient}); load average at start ${m.loadAverageAtStart.join(' ')}${m.stealPercent === undefined ? '' : `; CPU stolen by the hypervisor during the run ${m.stealPercent}%`}`,
    `instance ${r.instance}; sidecar ready in ${fmt(r.sidecar.startupMs, 0)} ms`,
    '',
  );
  for (const p of phases) {
    const section = p.render?.(r, opts);
    if (section) out.push(section, '');
  }

  if (r.leak) {
    const l = r.leak;
    out.push(
      `Leak check: ${l.cycles} create+status+getLogs+delete cycles at concurrency ${l.concurrency} in ${fmt(l.load.elapsedMs / 1000, 1)} s`,
      `  RSS ${fmt(l.rssStartMb, 1)} MB -> ${fmt(l.rssEndMb, 1)} MB (peak ${fmt(l.hwmEndMb, 1)} MB); trend ${l.rssTrend.map(([n, mb]) => `${n}:${fmt(mb, 0)}`).join(' ')}`,
      `  docker processes at the end: ${l.dockerChildrenAtEnd.map((k) => k.verb).join(', ') || 'none'}; leftover containers: ${l.leftoverContainers}`,
      ...errorLines([['leak check', l.load]]),
      '',
    );
  }

  if (r.final) {
    out.push(
      `At the end: sidecar RSS ${fmt(r.final.memory?.rssMb, 1)} MB (peak ${fmt(r.final.memory?.hwmMb, 1)} MB), docker children: ${r.final.dockerChildren.map((k) => k.verb).join(', ') || 'none'}`,
    );
  }
  const lines = Object.entries(r.sidecar.logLines)
    .map(([level, n]) => `${level} ${n}`)
    .join(', ');
  out.push(`Sidecar log lines: ${lines || 'none'}`);
  for (const p of r.sidecar.logProblems.slice(0, 5)) out.push(`  ${p.level} x${p.count}: ${p.msg}`);
  out.push('');

  out.push('Targets');
  out.push(
    table(
      ['', 'what', 'target', 'measured'],
      r.targets.map((t) => [t.verdict, t.what, t.target, t.measured]),
      true,
    ),
  );
  if (r.error) out.push('', `The run stopped early: ${r.error}`);
  return `${out.join('\n')}\n`;
}
