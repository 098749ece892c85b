/**
 * Image pulls in the background, as kubelet does them: one pull per image however many
 * containers wait for it, progress readable while it runs, and a failed pull retried with
 * back-off (ErrImagePull, then ImagePullBackOff between tries) until it succeeds or nobody
 * waits for it any more.
 */
import type { Logger } from '../../log.ts';
import { type DockerCli, DockerCliError } from '../engine/docker-cli.ts';
import { imageExists, pullImage } from '../engine/docker-verbs.ts';
import { withoutHostPaths } from '../engine/user-words.ts';

export type PullState =
  | { phase: 'pulling'; message: string }
  | {
      phase: 'failed';
      reason: 'ErrImagePull' | 'ImagePullBackOff';
      message: string;
      failedAt: number;
      retryAt: number;
    }
  | { phase: 'done' };

export interface ImagePullsOptions {
  docker: DockerCli;
  log: Logger;
  /** First retry delay; doubles up to maxBackoffMs (kubelet: 10 s up to 300 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

const ERR_IMAGE_PULL_SHOWN_MS = 2000;

/**
 * `docker pull`s under way at once (the kubelet pulls one at a time by default). A pod chooses its
 * images, one per container if it likes, and a registry that never answers holds each pull ~25 s
 * per try: each is a docker CLI process of ~24 MB in the host's memory.
 */
export const PULLS_AT_ONCE = 8;

interface Pull {
  state: PullState;
  waiters: number;
  done: Promise<void>;
  cancel: () => void;
}

export class ImagePulls {
  private readonly pulls = new Map<string, Pull>();
  private running = 0;
  /** Pulls waiting for one of the PULLS_AT_ONCE places, oldest first. */
  private readonly queue: Array<() => void> = [];
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: ImagePullsOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
  }

  /** What a container waiting for this image should say; undefined when no pull is under way. */
  state(image: string): PullState | undefined {
    const state = this.pulls.get(image)?.state;
    // Right after a failed try it is ErrImagePull; waiting for the next one, ImagePullBackOff (kubelet's words).
    if (
      state?.phase === 'failed' &&
      Date.now() - state.failedAt > Math.min(ERR_IMAGE_PULL_SHOWN_MS, (state.retryAt - state.failedAt) / 2)
    ) {
      return { ...state, reason: 'ImagePullBackOff' };
    }
    return state;
  }

  /**
   * Resolves once the image is present (pulling it, with retries, as needed); rejects when
   * `signal` aborts first. Concurrent callers share one pull.
   */
  async pull(image: string, signal?: AbortSignal): Promise<void> {
    let pull = this.pulls.get(image);
    if (!pull) {
      pull = this.start(image);
      this.pulls.set(image, pull);
    }
    pull.waiters++;
    const current = pull;
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new Error(`stopped waiting for image ${image}`));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        current.done.then(resolve, reject).finally(() => signal?.removeEventListener('abort', onAbort));
      });
    } finally {
      current.waiters--;
      // Nobody waits any more: stop retrying a pull that keeps failing.
      if (current.waiters === 0) {
        current.cancel();
        if (this.pulls.get(image) === current) this.pulls.delete(image);
      }
    }
  }

  private start(image: string): Pull {
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const pull: Pull = {
      state: { phase: 'pulling', message: `pulling image "${image}"` },
      waiters: 0,
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
        wake?.();
      },
      done: Promise.resolve(),
    };
    pull.done = (async () => {
      let backoff = this.initialBackoffMs;
      let failures = 0;
      while (!cancelled) {
        pull.state = { phase: 'pulling', message: `pulling image "${image}"` };
        // An operator may have loaded the image by hand meanwhile (an offline host): take it.
        if (failures > 0 && (await this.present(image))) {
          pull.state = { phase: 'done' };
          this.options.log.info('image found locally after a failed pull', { image });
          return;
        }
        if (this.running >= PULLS_AT_ONCE) {
          pull.state = {
            phase: 'pulling',
            message: `waiting to pull image "${image}": ${PULLS_AT_ONCE} pulls are under way`,
          };
        }
        const release = await this.place();
        try {
          if (cancelled) break;
          pull.state = { phase: 'pulling', message: `pulling image "${image}"` };
          await this.runPull(image, (line) => {
            pull.state = { phase: 'pulling', message: `pulling image "${image}": ${line}` };
          });
          pull.state = { phase: 'done' };
          this.options.log.info('image pulled', { image });
          return;
        } catch (err) {
          failures++;
          const message = (err as Error).message;
          const failedAt = Date.now();
          pull.state = {
            phase: 'failed',
            reason: 'ErrImagePull',
            // The pod's status shows Docker's words; the docker command line stays in the log.
            message:
              err instanceof DockerCliError
                ? `Failed to pull image "${image}": ${withoutHostPaths(err.reason, [])}`
                : message,
            failedAt,
            retryAt: failedAt + backoff,
          };
          this.options.log.warn('image pull failed; retrying with back-off', {
            image,
            error: message,
            failures,
            retryInMs: backoff,
          });
          // The back-off holds no place.
          release();
          await new Promise<void>((r) => {
            wake = r;
            timer = setTimeout(r, backoff);
          });
          backoff = Math.min(backoff * 2, this.maxBackoffMs);
        } finally {
          release();
        }
      }
      throw new Error(`pull of ${image} cancelled`);
    })();
    pull.done.catch(() => {});
    return pull;
  }

  /** Waits for a place among PULLS_AT_ONCE; the function it gives frees it (once). */
  private async place(): Promise<() => void> {
    if (this.running < PULLS_AT_ONCE) this.running++;
    // The place is handed over by the pull that frees it, so `running` stays at the cap meanwhile.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    };
  }

  private present(image: string): Promise<boolean> {
    return imageExists(this.options.docker, image);
  }

  /** `docker pull`, reporting its last progress line; the error is Docker's own words. */
  private runPull(image: string, progress: (line: string) => void): Promise<void> {
    return pullImage(this.options.docker, image, progress);
  }
}
