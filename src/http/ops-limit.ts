/**
 * A cap on creates and deletes under way at once. Each makes several docker processes and a few
 * megabytes of arguments; past the cap, as many again wait their turn, and any more are answered
 * 503 with Retry-After at once rather than piling up without bound (memory, interLink's 120 s
 * header timeout).
 */
import { PluginError } from '../errors.ts';

/** Seconds a refused client is told to wait: about one create's time under load. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Runs a wait that holds no docker work of the plugin's (a delete waiting out a pod's grace period)
 * with its place given up, and takes a place again after it (waiting its turn, never refused).
 */
export type WhileWaiting = <R>(wait: () => Promise<R>) => Promise<R>;

export class OpsLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** `max` run at once and `max` more may wait. */
  constructor(readonly max: number) {}

  /**
   * Runs `op` when a place is free; throws a 503 when every place and every queue slot is taken.
   * A pod chooses how long its delete waits (its grace period, a SIGTERM it ignores): `op` gives
   * its place up meanwhile through `whileWaiting`, or such pods would hold every place for as long.
   */
  async run<T>(op: (whileWaiting: WhileWaiting) => Promise<T>): Promise<T> {
    await this.take(true);
    let held = true;
    const whileWaiting: WhileWaiting = async (wait) => {
      this.give();
      held = false;
      try {
        return await wait();
      } finally {
        await this.take(false);
        held = true;
      }
    };
    try {
      return await op(whileWaiting);
    } finally {
      if (held) this.give();
    }
  }

  private async take(refusable: boolean): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    if (refusable && this.waiting.length >= this.max) {
      throw new PluginError(
        'unavailable',
        `the plugin is busy: ${this.running} creates and deletes are running and ${this.waiting.length} waiting (PLUGIN_MAX_CONCURRENT_OPS=${this.max}); retry shortly`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    // The place is handed over by the op that gives it, so `running` never drops below the cap meanwhile.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
