/**
 * Where the sidecar's CPU went: reads a V8 .cpuprofile (`--cpu-prof`, e.g. from
 * `npm run bench -- --start node --cpu-prof DIR`) and prints self time by function and by
 * module, optionally only inside the windows the bench recorded for one phase.
 *
 *   npx tsx scripts/bench/profile-summary.ts DIR/*.cpuprofile [--results bench-results/latest.json
 *     --phase status [--pods 1000]] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchResults } from './results.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A module's short name: the package under node_modules, the repo path, or node's own. */
function moduleOf(url: string, fn: string): string {
  // Code without a URL: V8's own entries, natives, or functions made at run time (Ajv's validators).
  if (!url)
    return fn.startsWith('(') ? fn : /^validate\d+$/.test(fn) ? 'ajv (generated validators)' : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const src = url.search(/\/(src|dist)\//);
  return src >= 0 ? url.slice(src + 1) : url;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      results: { type: 'string' },
      phase: { type: 'string' },
      pods: { type: 'string' },
      top: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file)
    throw new Error(
      'usage: profile-summary.ts FILE.cpuprofile [--results J --phase ID [--pods N]] [--top N]',
    );
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  let windows: [number, number][] | undefined;
  if (values.phase) {
    const r = JSON.parse(readFileSync(values.results ?? 'bench-results/latest.json', 'utf8')) as BenchResults;
    windows = (r.phaseWindows ?? [])
      .filter((w) => w.phase === values.phase && (!values.pods || w.pods === Number(values.pods)))
      .map((w) => [w.fromUs, w.toUs]);
    if (windows.length === 0) throw new Error(`no window of phase ${values.phase} in the results`);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fnTime = new Map<string, number>();
  const modTime = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (windows && !windows.some(([a, b]) => t >= a && t <= b)) continue;
    const node = byId.get(profile.samples[i] as number);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const mod = moduleOf(url, functionName);
    if (mod === '(idle)') continue;
    const fn = `${functionName || '(anonymous)'} ${mod}${url ? `:${lineNumber + 1}` : ''}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + dt);
    modTime.set(mod, (modTime.get(mod) ?? 0) + dt);
    total += dt;
  }
  const top = Number(values.top ?? 25);
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`${title}\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(
        `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
      );
    }
  };
  process.stdout.write(
    `busy (not idle) CPU in the profile${windows ? ` within ${windows.length} window(s) of ${values.phase}` : ''}: ${(total / 1000).toFixed(0)} ms\n\n`,
  );
  print('self time by module', modTime);
  process.stdout.write('\n');
  print('self time by function', fnTime);
}

main();
