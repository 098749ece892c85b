/**
 * A cap on creates and deletes under way at once. Each makes several docker processes and a few
 * megabytes of arguments; past the cap, as many again wait their turn, and any more are answered
 * 503 with Retry-After at once rather than piling up without bound (memory, interLink's 120 s
 * header timeout).
 */
import { PluginError } from '../errors.ts';

/** Seconds a refused client is told to wait: about one create's time under load. */
const RETRY_AFTER_SECONDS = 2;

export class OpsLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** `max` run at once and `max` more may wait. */
  constructor(readonly max: number) {}

  /** Runs `op` when a place is free; throws a 503 when every place and every queue slot is taken. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.max) {
        throw new PluginError(
          'unavailable',
          `the plugin is busy: ${this.running} creates and deletes are running and ${this.waiting.length} waiting (PLUGIN_MAX_CONCURRENT_OPS=${this.max}); retry shortly`,
          { retryAfterSeconds: RETRY_AFTER_SECONDS },
        );
      }
      // The place is handed over by the op that ends, so `running` never drops below the cap meanwhile.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await op();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
