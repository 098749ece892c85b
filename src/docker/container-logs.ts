/**
 * interLink's log options → `docker logs`, streamed: stdout and stderr as they come, cut after
 * `Bytes` (Kubernetes' limitBytes), and the docker process ended when the client goes away.
 */
import type { LogOpts } from '../api-types.ts';
import type { DockerCli } from './docker-cli.ts';

const GO_ZERO_TIME = '0001-01-01';

export interface LogsArgsInput {
  opts: LogOpts | undefined;
  containerId: string;
  /** For Previous: the current instance's start, so only earlier output is returned. */
  currentStartedAt?: string | undefined;
}

export function dockerLogsArgs({ opts = {}, containerId, currentStartedAt }: LogsArgsInput): string[] {
  const args = ['logs'];
  if ((opts.Tail ?? 0) > 0) args.push('--tail', String(opts.Tail));
  if (opts.Timestamps) args.push('--timestamps');
  if ((opts.SinceSeconds ?? 0) > 0) args.push('--since', `${opts.SinceSeconds}s`);
  else if (opts.SinceTime && !opts.SinceTime.startsWith(GO_ZERO_TIME)) args.push('--since', opts.SinceTime);
  if (opts.Previous && currentStartedAt) args.push('--until', currentStartedAt);
  else if (opts.Follow) args.push('--follow');
  args.push(containerId);
  return args;
}

/** Runs `docker logs` and exposes its output as one byte stream. */
export function streamLogs(
  docker: DockerCli,
  args: string[],
  limitBytes: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const child = docker.spawn(args);
  child.stdin.end();
  let sent = 0;
  let open = 2;
  let done = false;
  const stop = () => {
    if (!child.killed && child.exitCode === null) child.kill();
  };
  signal.addEventListener('abort', stop, { once: true });
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = () => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', stop);
        stop();
        controller.close();
      };
      const push = (chunk: Buffer) => {
        if (done) return;
        if (limitBytes > 0) {
          const room = limitBytes - sent;
          if (chunk.length >= room) {
            controller.enqueue(new Uint8Array(chunk.subarray(0, room)));
            sent = limitBytes;
            finish();
            return;
          }
        }
        sent += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      };
      for (const stream of [child.stdout, child.stderr]) {
        stream.on('data', push);
        stream.on('end', () => {
          if (--open === 0) finish();
        });
      }
      child.on('error', finish);
    },
    cancel: stop,
  });
}
