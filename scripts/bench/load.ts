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
  };
}
