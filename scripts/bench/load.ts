/**
 * A closed-loop load generator: `concurrency` workers each send the next request as soon as
 * their previous one answered, until the duration is up or the request budget is spent.
 * Closed loop means the numbers show what the server sustains, never a queue we built up.
 */
import { type LatencySummary, summarize } from './stats.ts';

export interface LoadOptions {
  concurrency: number;
  /** Stop starting requests after this long (ms). Unbounded when omitted. */
  durationMs?: number;
  /** Stop after this many requests. Unbounded when omitted; one of the two must be set. */
  maxRequests?: number;
  /** One request; `i` counts from 0 across all workers. Throw to count an error. */
  op: (i: number) => Promise<void>;
  /** Keep each latency in `samplesMs`, for mergeLoads. */
  keepSamples?: boolean;
}

export interface LoadResult {
  concurrency: number;
  requests: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  /** Completed requests (errors included) per second of wall time. */
  perSecond: number;
  latencyMs: LatencySummary;
  /** Each latency, only when asked for (keepSamples). */
  samplesMs?: number[];
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, durationMs, op } = options;
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  if (durationMs === undefined && !Number.isFinite(maxRequests)) {
    throw new Error('closedLoop needs a duration or a request count');
  }
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = durationMs === undefined ? Number.POSITIVE_INFINITY : started + durationMs;

  const worker = async () => {
    while (next < maxRequests && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const elapsedMs = performance.now() - started;
  const requests = latencies.length + errors;
  return {
    concurrency,
    requests,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    perSecond: requests / (elapsedMs / 1000),
    latencyMs: summarize(latencies),
    ...(options.keepSamples ? { samplesMs: latencies } : {}),
  };
}

/** One load made of segments run at different times (each kept its samples): as if run at once. */
export function mergeLoads(parts: readonly LoadResult[]): LoadResult {
  const samples = parts.flatMap((p) => p.samplesMs ?? []);
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const elapsedMs = parts.reduce((n, p) => n + p.elapsedMs, 0);
  const firstError = parts.find((p) => p.firstError !== undefined)?.firstError;
  return {
    concurrency: parts[0]?.concurrency ?? 0,
    requests,
    errors: parts.reduce((n, p) => n + p.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    perSecond: requests / (elapsedMs / 1000),
    latencyMs: summarize(samples),
  };
}

/**
 * Runs two sides of a comparison in `segments` parts each, in the order A B B A A B ...: a drift
 * of the machine over the run (a warming JIT, another process, the daemon's growing state) falls
 * on both sides alike instead of on whichever ran second. `run(side, segment)` runs one part.
 */
export async function alternate<T>(
  segments: number,
  run: (side: 'a' | 'b', segment: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let pair = 0; pair < segments; pair++) {
    const order: ('a' | 'b')[] = pair % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) out[side].push(await run(side, pair));
  }
  return out;
}

/** `total` split into `parts` near-equal whole numbers (the first ones one larger). */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export interface PacedOptions {
  /** Requests started per second, evenly spread, whether or not earlier ones answered. */
  perSecond: number;
  durationMs: number;
  op: (i: number) => Promise<void>;
}

/**
 * An open loop: requests at a fixed rate, as a poller with a timer sends them (interLink polls
 * each pod every few seconds). Latency is per request; `perSecond` is the rate achieved.
 */
export async function paced(options: PacedOptions): Promise<LoadResult> {
  const { perSecond, durationMs, op } = options;
  const total = Math.max(1, Math.round((perSecond * durationMs) / 1000));
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const fire = (i: number) => {
    const t0 = performance.now();
    pending.push(
      op(i).then(
        () => void latencies.push(performance.now() - t0),
        (err: unknown) => {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        },
      ),
    );
  };
  let sent = 0;
  while (sent < total) {
    // Catch up with the schedule (timers on a loaded machine fire late), then sleep to the next.
    const due = Math.min(total, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
    while (sent < due) fire(sent++);
    const nextAt = started + (sent * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, nextAt - performance.now())));
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - started;
  const requests = latencies.length + errors;
  return {
    concurrency: 0,
    requests,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs,
    perSecond: requests / (elapsedMs / 1000),
    latencyMs: summarize(latencies),
  };
}
