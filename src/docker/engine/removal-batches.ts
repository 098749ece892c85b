/**
 * The `docker rm` of pods deleted at the same time, when many are. Starting the docker CLI is most
 * of what a removal costs the machine (tens of ms of CPU each on a loaded host, forks of a large
 * Node process included), and Docker removes the containers of one `rm` in parallel anyway. So
 * while REMOVALS_AT_ONCE `rm` run, a removal asked waits for one of them to end and joins the next,
 * with every other that arrived meanwhile: a burst of a hundred deletes costs a few dozen docker
 * processes, not a hundred. A removal that finds a free slot starts at once; nothing waits for
 * company. Nor does it wait for the others of its call: it is done as soon as the CLI has printed
 * its containers, which the CLI does as each is removed (in the order given), not once the whole
 * call ends.
 *
 * Each caller still learns its own outcome. The CLI prints every container it removed; when the
 * shared call fails, a caller whose containers were all printed has what it asked for, and the
 * others run their own `rm` again alone, whose error (or success: "already gone") is theirs.
 */
import type { RunResult } from './docker-cli.ts';

/** At most this many containers in one `docker rm`: its argv stays far below what Linux allows. */
const MAX_IDS = 1000;

/**
 * How many `docker rm` run at once. Eight deletes at once each get their own: a delete that waits
 * for a slot waits for a whole `rm` of others, and with two slots eight deletes at once took
 * 1.27–1.49× the time of `docker stop` + `docker rm` by hand, with eight 0.9–1.0× (interleaved
 * with the CLI's on a 2-core host). One `rm` per pod against the CLI's two still costs 0.8–0.87×
 * its CPU.
 */
export const REMOVALS_AT_ONCE = 8;

interface Removal {
  ids: readonly string[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class RemovalBatches {
  private running = 0;
  private waiting: Removal[] = [];

  /**
   * `rm`: one `docker rm` of these containers; its stdout names each one removed, one a line, and
   * it tells `removed` each name as that line comes.
   * `parallel`: how many may run at once, so that one removal Docker is slow to finish does not
   * hold up every delete behind it.
   */
  constructor(
    private readonly rm: (ids: readonly string[], removed: (id: string) => void) => Promise<RunResult>,
    private readonly parallel = REMOVALS_AT_ONCE,
  ) {}

  /** Removes the containers: at once, or with the others waiting when `parallel` calls run. */
  remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ ids, resolve, reject });
      if (this.running < this.parallel) void this.next();
    });
  }

  private async next(): Promise<void> {
    this.running++;
    while (this.waiting.length > 0) {
      await this.run(this.takeBatch());
    }
    this.running--;
  }

  /** The removals waiting, oldest first, up to MAX_IDS containers (always at least one removal). */
  private takeBatch(): Removal[] {
    let count = 0;
    let n = 0;
    for (const r of this.waiting) {
      count += r.ids.length;
      if (n > 0 && count > MAX_IDS) break;
      n++;
    }
    return this.waiting.splice(0, n);
  }

  private async run(batch: Removal[]): Promise<void> {
    // Each removal's containers not yet printed: it is done when none is left.
    const left = new Map(batch.map((r) => [r, new Set(r.ids)]));
    const removed = (id: string) => {
      for (const [r, ids] of left) {
        if (ids.delete(id) && ids.size === 0) {
          left.delete(r);
          r.resolve();
        }
      }
    };
    try {
      await this.rm([...new Set(batch.flatMap((r) => r.ids))], removed);
      for (const r of batch) r.resolve();
      return;
    } catch (err) {
      const [only] = batch;
      if (batch.length === 1 && only) {
        only.reject(err);
        return;
      }
      const printed = (err as { stdout?: unknown }).stdout;
      const removed = new Set(typeof printed === 'string' ? printed.split('\n').map((l) => l.trim()) : []);
      await Promise.all(
        batch.map(async (r) => {
          if (r.ids.every((id) => removed.has(id))) return r.resolve();
          await this.rm(r.ids, () => {}).then(r.resolve, r.reject);
        }),
      );
    }
  }
}
