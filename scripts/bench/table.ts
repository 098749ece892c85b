/** Helpers the phases share to write their part of the summary. */
import type { LoadResult } from './load.ts';
import type { SidecarLoad } from './measure.ts';
import type { Verdict } from './results.ts';
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

export function at<T extends { concurrency: number }>(list: T[] | undefined, c: number): T | undefined {
  return list?.find((x) => x.concurrency === c);
}

export function atLoad(list: SidecarLoad[] | undefined, c: number): SidecarLoad | undefined {
  return list?.find((x) => x.load.concurrency === c);
}

/** Sum of operations over sum of wall time, across steps. */
export function rate(loads: (LoadResult | undefined)[]): number {
  const ok = loads.filter((l): l is LoadResult => l !== undefined && l.requests > 0);
  const n = ok.reduce((s, l) => s + l.requests - l.errors, 0);
  const ms = ok.reduce((s, l) => s + l.elapsedMs, 0);
  return ms > 0 ? n / (ms / 1000) : Number.NaN;
}

export function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
}

export function lat(l: LoadResult | undefined, key: 'p50' | 'p95' | 'p99'): string {
  return fmt(l?.latencyMs[key]);
}

/** " (N errors: first)" for a load that had errors, else ''. */
export function errs(l: LoadResult | undefined): string {
  return l && l.errors > 0 ? ` (${l.errors} errors: ${l.firstError ?? ''})` : '';
}

/** Errors of the named loads, one line each, for a phase's section. */
export function errorLines(loads: [string, LoadResult | undefined][]): string[] {
  return loads.flatMap(([what, l]) => (errs(l) ? [`  errors in ${what}${errs(l)}`] : []));
}

/** The low and high concurrency the targets are judged at (1 and 8 by default). */
export function loHi(concurrencies: number[]): { lo: number; hi: number } {
  return {
    lo: concurrencies.includes(1) ? 1 : Math.min(...concurrencies),
    hi: concurrencies.includes(8) ? 8 : Math.max(...concurrencies),
  };
}

/** Docker processes spawned during a load, by verb, events excluded. */
export function spawns(s: SidecarLoad): string {
  const v = Object.entries(s.dockerSpawns.distinctByVerb).filter(([verb]) => verb !== 'events');
  return v.length ? v.map(([verb, n]) => `${verb} ${n}`).join(' ') : 'none';
}
