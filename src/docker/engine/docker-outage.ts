/**
 * A Docker daemon that does not answer (stopped, restarting, its socket gone) is a passing
 * condition, not a plugin failure: requests that need it get a 503 saying so, with Retry-After,
 * and the log says it once when it starts and once when Docker answers again.
 */
import { PluginError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { type DockerCli, isDaemonUnreachable } from './docker-cli.ts';

export const DOCKER_DOWN_MESSAGE = 'Docker is not answering; the plugin retries';

/** interLink and probes ask again anyway; this says when it is worth it. */
export const RETRY_AFTER_SECONDS = 5;

/** Runs `work`; a failure because Docker did not answer becomes the 503 the client should see. */
export async function duringOutage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDaemonUnreachable(err))
      throw new PluginError('unavailable', DOCKER_DOWN_MESSAGE, {
        cause: err,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    throw err;
  }
}

/** Logs each outage once (warn) and its end once (info), however many calls fail meanwhile. */
export function logOutages(docker: DockerCli, log: Logger): () => void {
  let downSince = 0;
  return docker.onDaemonChange((answering, reason) => {
    if (!answering) {
      downSince = Date.now();
      log.warn(DOCKER_DOWN_MESSAGE, { error: reason });
    } else {
      log.info('Docker answers again', { downSeconds: Math.round((Date.now() - downSince) / 1000) });
    }
  });
}
