/**
 * The human side of the results: tables per measurement and the targets, each judged PASS or
 * MISS from what was measured (never asserted: a miss is a finding, not a crash).
 */
import type { LoadResult } from './load.ts';
import type { SidecarLoad } from './measure.ts';
import type { BenchResults, StepResult, Target, Verdict } from './results.ts';
import { fmt } from './stats.ts';

/** A plain-text table; cells that read as numbers are right-aligned unless `left` says otherwise. */
export function table(headers: string[], rows: string[][], left = false): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string) => !left && /^[-+]?[\d.,]+[×%]?$|^-$/.test(s);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric(c) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function at<T extends { concurrency: number }>(list: T[], c: number): T | undefined {
  return list.find((x) => x.concurrency === c);
}

function atLoad(list: SidecarLoad[], c: number): SidecarLoad | undefined {
  return list.find((x) => x.load.concurrency === c);
}

/** Sum of operations over sum of wall time, across steps. */
function rate(loads: (LoadResult | undefined)[]): number {
  const ok = loads.filter((l): l is LoadResult => l !== undefined && l.requests > 0);
  const n = ok.reduce((s, l) => s + l.requests - l.errors, 0);
  const ms = ok.reduce((s, l) => s + l.elapsedMs, 0);
  return ms > 0 ? n / (ms / 1000) : Number.NaN;
}

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
}

export function evaluateTargets(r: BenchResults, concurrencies: number[]): Target[] {
  const lo = concurrencies.includes(1) ? 1 : Math.min(...concurrencies);
  const hi = concurrencies.includes(8) ? 8 : Math.max(...concurrencies);
  const steps = r.steps;
  const first = steps[0];
  const last = steps[steps.length - 1];
  const targets: Target[] = [];

  if (last) {
    const s = atLoad(last.status, lo)?.load.latencyMs.p50;
    const d = at(last.inspect, lo)?.latencyMs.p50;
    const ratio = s && d ? d / s : Number.NaN;
    targets.push({
      id: 'status-vs-inspect',
      what: `/status p50 vs one \`docker inspect\` CLI call (c=${lo}, ${last.pods} pods)`,
      target: '>= 20x lower',
      measured: `${fmt(ratio, 1)}x lower (${fmt(s, 3)} ms vs ${fmt(d, 1)} ms)`,
      verdict: verdict(Number.isFinite(ratio) ? ratio >= 20 : undefined),
    });
    const pLo = first ? atLoad(first.status, lo)?.load.latencyMs.p50 : undefined;
    const growth = steps.length > 1 && pLo && s ? s / pLo : Number.NaN;
    targets.push({
      id: 'status-scaling',
      what: `/status p50 at the largest step vs the smallest (c=${lo})`,
      target: '<= 1.5x',
      measured:
        steps.length > 1
          ? `${fmt(growth, 2)}x (${fmt(s, 3)} ms at ${last.pods} pods, ${fmt(pLo, 3)} ms at ${first?.pods})`
          : 'one step only: use --steps',
      verdict: verdict(Number.isFinite(growth) ? growth <= 1.5 : undefined),
    });
    const rps = atLoad(last.status, hi)?.load.perSecond;
    targets.push({
      id: 'status-throughput',
      what: `/status requests/s at concurrency ${hi} (${last.pods} pods)`,
      target: '>= 2000/s',
      measured: `${fmt(rps, 0)}/s`,
      verdict: verdict(rps === undefined ? undefined : rps >= 2000),
    });
  }

  // Without steps (--leak-only) there is nothing to compare.
  if (steps.length > 0) {
    const createOurs = rate(steps.map((s) => s.create?.load));
    const createRaw = rate(steps.map((s) => s.rawRun));
    const createRawPod = rate(steps.map((s) => s.rawPodRun));
    const cRatio = createRaw / createOurs;
    targets.push({
      id: 'create-vs-docker',
      what: 'create throughput vs raw `docker run -d` (same concurrency)',
      target: 'raw <= 1.15x ours',
      measured: `raw is ${fmt(cRatio, 2)}x ours (${fmt(createOurs, 2)} pods/s vs ${fmt(createRaw, 2)}/s${Number.isFinite(createRawPod) ? `; sandbox+container by hand: ${fmt(createRawPod, 2)} pods/s` : ''})`,
      verdict: verdict(Number.isFinite(cRatio) ? cRatio <= 1.15 : undefined),
    });

    const delOurs = r.delete ? rate([r.delete.sidecar.load]) : Number.NaN;
    const delRaw = rate(steps.map((s) => s.rawRm));
    const delRawPod = rate(steps.map((s) => s.rawPodRm));
    const dRatio = delRaw / delOurs;
    targets.push({
      id: 'delete-vs-docker',
      what: 'delete throughput vs raw `docker rm -f` (same concurrency)',
      target: 'raw <= 1.15x ours',
      measured: `raw is ${fmt(dRatio, 2)}x ours (${fmt(delOurs, 2)} pods/s vs ${fmt(delRaw, 2)}/s${Number.isFinite(delRawPod) ? `; sandbox+container by hand: ${fmt(delRawPod, 2)} pods/s` : ''})`,
      verdict: verdict(Number.isFinite(dRatio) ? dRatio <= 1.15 : undefined),
    });

    const big = steps.find((s) => s.pods >= 1000);
    const rssOf = (s: StepResult) =>
      Math.max(s.memoryAfterCreate?.rssMb ?? 0, s.memoryAfterMeasure?.rssMb ?? 0);
    targets.push({
      id: 'rss-1000-pods',
      what: 'sidecar RSS with 1000 pods',
      target: '<= 150 MB',
      measured: big
        ? `${fmt(rssOf(big), 1)} MB at ${big.pods} pods`
        : last
          ? `no 1000-pod step; ${fmt(rssOf(last), 1)} MB at ${last.pods} pods`
          : 'not measured',
      verdict: verdict(big ? rssOf(big) <= 150 : undefined),
    });

    const counts = steps.map((s) => s.dockerChildrenIdle.filter((c) => c.verb === 'events').length);
    targets.push({
      id: 'one-events-stream',
      what: 'docker events processes of the sidecar at each step',
      target: 'exactly 1',
      measured: counts.join(', '),
      verdict: verdict(counts.every((n) => n === 1)),
    });
  }
  if (r.delete) {
    targets.push({
      id: 'delete-leaves-nothing',
      what: 'containers of the instance left after deleting every pod',
      target: '0',
      measured: String(r.delete.leftoverContainers),
      verdict: verdict(r.delete.leftoverContainers === 0),
    });
  }
  if (r.leak) {
    const kids = r.leak.dockerChildrenAtEnd;
    targets.push({
      id: 'leak-docker-processes',
      what: `sidecar docker processes after ${r.leak.cycles} create/delete cycles`,
      target: '1 (events)',
      measured: `${kids.length} (${kids.map((k) => k.verb).join(', ') || 'none'})`,
      verdict: verdict(kids.length === 1 && kids[0]?.verb === 'events'),
    });
    targets.push({
      id: 'leak-containers',
      what: `containers left after ${r.leak.cycles} create/delete cycles`,
      target: '0',
      measured: String(r.leak.leftoverContainers),
      verdict: verdict(r.leak.leftoverContainers === 0),
    });
  }
  return targets;
}

function lat(l: LoadResult | undefined, key: 'p50' | 'p95' | 'p99'): string {
  return fmt(l?.latencyMs[key]);
}

function errs(l: LoadResult | undefined): string {
  return l && l.errors > 0 ? ` (${l.errors} errors: ${l.firstError ?? ''})` : '';
}

function spawns(s: SidecarLoad): string {
  const v = Object.entries(s.dockerSpawns.distinctByVerb).filter(([verb]) => verb !== 'events');
  return v.length ? v.map(([verb, n]) => `${verb} ${n}`).join(' ') : 'none';
}

export function renderSummary(r: BenchResults, concurrencies: number[]): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `interLink docker plugin benchmark, ${m.date}`,
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryMb} MB; node ${m.node}; docker engine ${m.dockerEngine} (CLI ${m.dockerClient}); load average at start ${m.loadAverageAtStart.join(' ')}`,
    `instance ${r.instance}; sidecar ready in ${fmt(r.sidecar.startupMs, 0)} ms`,
    '',
  );
  const errors: string[] = [];
  const note = (what: string, l: LoadResult | undefined) => {
    const e = errs(l);
    if (e) errors.push(`${what}${e}`);
  };

  if (r.steps.length > 0) {
    out.push('Create (sidecar POST /create vs raw docker run -d, same concurrency)');
    out.push(
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
        r.steps.map((s) => {
          note(`create at ${s.pods}`, s.create?.load);
          note(`docker run at ${s.pods}`, s.rawRun);
          return [
            String(s.pods),
            String(s.created),
            fmt(s.create?.load.perSecond),
            lat(s.create?.load, 'p50'),
            lat(s.create?.load, 'p95'),
            fmt(s.rawRun?.perSecond),
            lat(s.rawRun, 'p50'),
            fmt(s.rawPodRun?.perSecond),
            `${fmt(s.toRunning.ms / 1000)}${s.toRunning.running < s.toRunning.total ? ` (${s.toRunning.running}/${s.toRunning.total})` : ''}`,
          ];
        }),
      ),
      '',
    );

    out.push('Status: GET /status with one pod per request vs one `docker inspect <id>` per request');
    const rows: string[][] = [];
    for (const s of r.steps) {
      for (const c of concurrencies) {
        const ours = atLoad(s.status, c);
        const theirs = at(s.inspect, c);
        note(`/status c=${c} at ${s.pods}`, ours?.load);
        note(`docker inspect c=${c} at ${s.pods}`, theirs);
        const ratio = (theirs?.latencyMs.p50 ?? Number.NaN) / (ours?.load.latencyMs.p50 ?? Number.NaN);
        rows.push([
          String(s.pods),
          String(c),
          lat(ours?.load, 'p50'),
          lat(ours?.load, 'p95'),
          lat(ours?.load, 'p99'),
          fmt(ours?.load.perSecond, 0),
          fmt(ours?.cpuMsPerRequest, 3),
          ours ? spawns(ours) : '-',
          lat(theirs, 'p50'),
          lat(theirs, 'p95'),
          lat(theirs, 'p99'),
          fmt(theirs?.perSecond, 1),
          `${fmt(ratio, 1)}×`,
        ]);
      }
    }
    out.push(
      table(
        [
          'pods',
          'conc',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'req/s',
          'cpu ms/req',
          'docker spawned',
          'inspect p50',
          'p95',
          'p99',
          'req/s',
          'inspect/ours p50',
        ],
        rows,
      ),
      '',
    );

    out.push('Logs: GET /getLogs vs `docker logs <id>` (sleep prints nothing: this is the per-call cost)');
    const logRows: string[][] = [];
    for (const s of r.steps) {
      for (const c of concurrencies) {
        const ours = atLoad(s.getLogs, c);
        const theirs = at(s.dockerLogs, c);
        note(`/getLogs c=${c} at ${s.pods}`, ours?.load);
        note(`docker logs c=${c} at ${s.pods}`, theirs);
        logRows.push([
          String(s.pods),
          String(c),
          String(ours?.load.requests ?? '-'),
          lat(ours?.load, 'p50'),
          lat(ours?.load, 'p95'),
          fmt(ours?.load.perSecond, 1),
          lat(theirs, 'p50'),
          lat(theirs, 'p95'),
          fmt(theirs?.perSecond, 1),
        ]);
      }
    }
    out.push(
      table(
        ['pods', 'conc', 'requests', 'ours p50', 'p95', 'req/s', 'docker logs p50', 'p95', 'req/s'],
        logRows,
      ),
      '',
    );

    out.push('Sidecar process');
    out.push(
      table(
        ['pods', 'RSS MB after create', 'RSS MB after measuring', 'peak MB', 'docker children when idle'],
        r.steps.map((s) => [
          String(s.pods),
          fmt(s.memoryAfterCreate?.rssMb, 1),
          fmt(s.memoryAfterMeasure?.rssMb, 1),
          fmt(s.memoryAfterMeasure?.hwmMb, 1),
          s.dockerChildrenIdle.map((k) => k.verb).join(', ') || 'none',
        ]),
      ),
      '',
    );
  }

  if (r.delete) {
    const d = r.delete.sidecar.load;
    note('delete', d);
    out.push('Delete (sidecar POST /delete of every pod vs raw docker rm -f)');
    out.push(
      table(
        ['pods', 'ours pods/s', 'p50 ms', 'p95 ms', 'raw rm -f/s', 'raw pod rm/s (--raw-pod)', 'left over'],
        [
          [
            String(d.requests),
            fmt(d.perSecond),
            lat(d, 'p50'),
            lat(d, 'p95'),
            fmt(rate(r.steps.map((s) => s.rawRm))),
            fmt(rate(r.steps.map((s) => s.rawPodRm))),
            String(r.delete.leftoverContainers),
          ],
        ],
      ),
      '',
    );
  }

  if (r.leak) {
    const l = r.leak;
    note('leak check', l.load);
    out.push(
      `Leak check: ${l.cycles} create+status+getLogs+delete cycles at concurrency ${l.concurrency} in ${fmt(l.load.elapsedMs / 1000, 1)} s`,
      `  RSS ${fmt(l.rssStartMb, 1)} MB -> ${fmt(l.rssEndMb, 1)} MB (peak ${fmt(l.hwmEndMb, 1)} MB); trend ${l.rssTrend.map(([n, mb]) => `${n}:${fmt(mb, 0)}`).join(' ')}`,
      `  docker processes at the end: ${l.dockerChildrenAtEnd.map((k) => k.verb).join(', ') || 'none'}; leftover containers: ${l.leftoverContainers}`,
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
  if (errors.length > 0) out.push('Errors during measurements:', ...errors.map((e) => `  ${e}`));
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
