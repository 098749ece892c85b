/**
 * interLink's log options → `docker logs`, streamed: stdout and stderr as they come, cut after
 * `Bytes` (Kubernetes' limitBytes), and the docker process ended when the client goes away.
 */
import type { LogOpts } from '../../contract/api-types.ts';
import { isGoZeroTime } from '../../contract/interlink-wire.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { containerLogs } from '../engine/docker-verbs.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';

/** How far Docker's own timestamps of one exit or start may lie apart (well under its 100 ms restart delay). */
const EVENT_SKEW_MS = 50;

/** What a log stream holds for a client that reads slower than the CLI writes, before the CLI waits. */
const QUEUED_BYTES = 1024 * 1024;

export interface LogsArgsInput {
  opts: LogOpts | undefined;
  containerId: string;
  /**
   * Where the current instance's output begins, for a container Docker has restarted: kubectl
   * shows only the current instance, and Previous only what came before it.
   */
  currentRunSince?: string | undefined;
  /** For relative SinceSeconds: now. */
  now?: Date;
}

export function dockerLogsArgs({
  opts = {},
  containerId,
  currentRunSince,
  now = new Date(),
}: LogsArgsInput): string[] {
  const args: string[] = [];
  if ((opts.Tail ?? 0) > 0) args.push('--tail', String(opts.Tail));
  if (opts.Timestamps) args.push('--timestamps');
  let since: string | undefined;
  if ((opts.SinceSeconds ?? 0) > 0) {
    // Reaching back before 1970 is asking for the whole log: Docker reads no earlier date anyway.
    const at = now.getTime() - (opts.SinceSeconds as number) * 1000;
    if (at > 0) since = new Date(at).toISOString();
  } else if (opts.SinceTime && !isGoZeroTime(opts.SinceTime)) since = opts.SinceTime;
  if (opts.Previous) {
    if (currentRunSince) args.push('--until', currentRunSince);
  } else if (currentRunSince && (!since || Date.parse(currentRunSince) > Date.parse(since))) {
    since = currentRunSince;
  }
  if (since) args.push('--since', since);
  if (opts.Follow && !opts.Previous) args.push('--follow');
  args.push(containerId);
  return args;
}

/**
 * Where the current run of a restarted container began. While it runs again, Docker's
 * FinishedAt still holds the end of the run before (its StartedAt is stamped a little after the
 * new process starts writing); once it has exited, the end of the run before comes from events.
 */
export function currentRunSince(c: ContainerInspect): string | undefined {
  if (c.RestartCount === 0) return undefined;
  if (c.State.Status === 'running' || c.State.Status === 'restarting' || c.State.Status === 'paused') {
    return isZeroTime(c.State.FinishedAt) ? undefined : c.State.FinishedAt;
  }
  const finished = Date.parse(c.State.FinishedAt);
  const last = c.LastExit;
  // The events may not have brought the final exit yet: then the last exit known ended the run before.
  if (last && Date.parse(last.At) < finished - EVENT_SKEW_MS) return last.At;
  if (last?.PreviousAt) return last.PreviousAt;
  if (isZeroTime(c.State.StartedAt)) return undefined;
  // Docker stamps StartedAt a moment after the process starts writing; restarts are >= 100 ms apart.
  return new Date(Date.parse(c.State.StartedAt) - EVENT_SKEW_MS).toISOString();
}

/**
 * Runs `docker logs` with the options dockerLogsArgs built and exposes its output as one byte
 * stream. Unless it follows, it is killed (and the stream ends) after the CLI's timeout, so a hung
 * CLI never holds the request. The CLI's output is read only as fast as the client takes it (at most
 * QUEUED_BYTES held here): a container printing without end to a follower that stops reading
 * would otherwise grow the plugin without bound.
 */
export function streamLogs(
  docker: DockerCli,
  options: string[],
  limitBytes: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const child = containerLogs(docker, options);
  child.stdin.end();
  // The timeout counts only while the CLI is not waiting for a slow client: a client reading a
  // large log slowly gets all of it.
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (options.includes('--follow') || child.exitCode !== null) return;
    clearTimeout(timer);
    timer = setTimeout(() => child.kill('SIGKILL'), docker.timeoutFor(['logs']));
    timer.unref();
  };
  arm();
  child.once('close', () => clearTimeout(timer));
  let sent = 0;
  let open = 2;
  let done = false;
  let paused = false;
  const stop = () => {
    if (!child.killed && child.exitCode === null) child.kill();
  };
  signal.addEventListener('abort', stop, { once: true });
  const outputs = [child.stdout, child.stderr];
  return new ReadableStream<Uint8Array>(
    {
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
          // The pipe fills and the CLI waits until pull() finds room again.
          if ((controller.desiredSize ?? 0) <= 0 && !paused) {
            paused = true;
            clearTimeout(timer);
            for (const stream of outputs) stream.pause();
          }
        };
        for (const stream of outputs) {
          stream.on('data', push);
          stream.on('end', () => {
            if (--open === 0) finish();
          });
        }
        child.on('error', finish);
      },
      pull() {
        if (!paused) return;
        paused = false;
        arm();
        for (const stream of outputs) stream.resume();
      },
      // The client went away: what the CLI still had in its pipe arrives after this and is dropped
      // (enqueued on a cancelled stream it would throw, and the plugin would exit).
      cancel() {
        done = true;
        signal.removeEventListener('abort', stop);
        stop();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: QUEUED_BYTES }),
  );
}
