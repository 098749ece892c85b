/**
 * How a scenario fails: a ConformanceFailure whose message says what was expected and what came back,
 * e.g. `expected containers[1].state.terminated.exitCode 3, got 0`. Anything else a scenario throws is
 * reported too, as a kit error: nothing is swallowed.
 */
import { isDeepStrictEqual } from 'node:util';

export class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}

export function fail(reason: string): never {
  throw new ConformanceFailure(reason);
}

/** A value as it appears in a reason: JSON (so strings show their quotes and escapes), cut when long. */
export function show(value: unknown, max = 200): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function mismatch(what: string, want: unknown, got: unknown): string {
  return `expected ${what} ${show(want)}, got ${show(got)}`;
}

/** Byte-for-byte text comparison; the reason shows where the two first differ. */
export function textMismatch(what: string, want: string, got: string): string | undefined {
  if (want === got) return undefined;
  const a = Buffer.from(want, 'utf8');
  const b = Buffer.from(got, 'utf8');
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  // Around the first difference, so a long log still shows the part that matters.
  const from = Math.max(0, at - 40);
  const around = (buf: Buffer) => buf.subarray(from, at + 80).toString('utf8');
  const prefix = from > 0 ? '…' : '';
  return (
    `expected ${what} ${prefix}${show(around(a), 240)}, got ${prefix}${show(around(b), 240)} ` +
    `(${a.length} bytes expected, ${b.length} received, first difference at byte ${at})`
  );
}

/** Collects every mismatch of one observation, so a failure lists them all instead of the first only. */
export class Mismatches {
  private readonly found: string[] = [];

  add(reason: string | undefined): void {
    if (reason) this.found.push(reason);
  }

  equal(what: string, want: unknown, got: unknown): void {
    if (!isDeepStrictEqual(want, got)) this.found.push(mismatch(what, want, got));
  }

  get empty(): boolean {
    return this.found.length === 0;
  }

  throwIfAny(): void {
    if (this.found.length > 0) fail(this.found.join('; '));
  }
}
