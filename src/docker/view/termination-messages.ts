/**
 * Each container's termination message, read once per exit (its `die` event; at start-up, the
 * exits the plugin did not see) and kept with the container for /status, which reads no file. The
 * message is the last 4096 bytes of the file the container was given (volumes/termination-files.ts),
 * or with FallbackToLogsOnError, for a failed run whose file is empty, the tail of its log (one
 * `docker logs --tail 80`). The kubelet gives each run a new file; here a run keeps the file of the
 * run before it, so a file last written before the run began is no message of that run.
 *
 * The container writes the file: it is opened without following a link, without blocking (a FIFO
 * cannot be planted there, being a bind mount, but nothing here waits on one), and only a regular
 * file is read, never more than its last 4096 bytes.
 */
import { constants, promises as fs } from 'node:fs';
import type { Logger } from '../../log.ts';
import { logTailMessage, MAX_LOG_MESSAGE_LINES, MAX_MESSAGE_BYTES } from '../../pod/termination-message.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { containerLogTail } from '../engine/docker-verbs.ts';
import { LABEL } from '../labels.ts';
import { podTerminationFile } from '../state-dir.ts';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

export interface ExitToRead {
  id: string;
  /** The container's labels (ours): its pod, role and name say where its file is. */
  labels: Readonly<Record<string, string>>;
  exitCode: number;
  /** The run's start: a file last written before it is the previous run's (ms; undefined: unknown). */
  writtenFrom?: number | undefined;
  /** The next run's start, for an exit read after that run began (a plugin restart). */
  writtenBefore?: number | undefined;
  /** Whether the log may stand in: not once the next run has begun, its log's tail is that run's. */
  logMayStandIn: boolean;
  /** When the run ended (ms), if known: its log is read up to shortly after. */
  endedAt?: number | undefined;
}

/**
 * The log is read up to this long after the exit: a line the engine took in as the run ended is
 * kept, and a restarted run's lines are not (the engine waits 100 ms at least before a restart).
 */
const LOG_SETTLE_MS = 50;

export interface TerminationMessagesOptions {
  stateDir: string;
  docker: DockerCli;
  log: Logger;
  /** A container's message is known (or changed): the view puts it on the container it keeps. */
  read: (id: string) => void;
}

export class TerminationMessages {
  private readonly byId = new Map<string, Buffer>();
  /** The latest read asked for per container: an earlier read finishing later is dropped. */
  private readonly asked = new Map<string, number>();
  private reads = 0;
  /** Log reads run one at a time: a start-up with many failed exits spawns one docker at a time. */
  private logReads: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TerminationMessagesOptions) {}

  get(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  forget(id: string): void {
    this.byId.delete(id);
    this.asked.delete(id);
  }

  /** Reads the message of the exit in the background; `read` is called once it is kept. */
  exited(exit: ExitToRead): void {
    const role = exit.labels[LABEL.role];
    const uid = exit.labels[LABEL.podUid];
    const name = exit.labels[LABEL.containerName];
    if ((role !== 'init' && role !== 'main') || !uid || !name) return;
    const n = ++this.reads;
    this.asked.set(exit.id, n);
    const file = podTerminationFile(this.options.stateDir, uid, role, name);
    void this.messageOf(exit, file).then(
      (message) => {
        if (this.asked.get(exit.id) !== n) return;
        this.byId.set(exit.id, message);
        this.options.read(exit.id);
      },
      (err: unknown) =>
        this.options.log.warn('termination message not read', { id: exit.id, error: (err as Error).message }),
    );
  }

  private async messageOf(exit: ExitToRead, file: string): Promise<Buffer> {
    const own = await readMessageFile(file, exit.writtenFrom, exit.writtenBefore);
    const fallback =
      exit.labels[LABEL.terminationMessagePolicy] === 'FallbackToLogsOnError' &&
      exit.exitCode !== 0 &&
      exit.logMayStandIn;
    if (own.length > 0 || !fallback) return own;
    const until = exit.endedAt !== undefined ? exit.endedAt + LOG_SETTLE_MS : undefined;
    const read = this.logReads.then(() =>
      containerLogTail(this.options.docker, exit.id, MAX_LOG_MESSAGE_LINES, until),
    );
    this.logReads = read.catch(() => {});
    const { stdout, stderr } = await read;
    return logTailMessage(mergeByTime(stdout, stderr));
  }
}

/**
 * The last 4096 bytes of the message file, empty when there is none, it is not a regular file, or
 * it was last written outside [writtenFrom, writtenBefore).
 */
export async function readMessageFile(
  path: string,
  writtenFrom?: number,
  writtenBefore?: number,
): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size === 0) return Buffer.alloc(0);
    if (writtenFrom !== undefined && st.mtimeMs < writtenFrom) return Buffer.alloc(0);
    if (writtenBefore !== undefined && st.mtimeMs >= writtenBefore) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(st.size, MAX_MESSAGE_BYTES));
    let position = st.size - buffer.length;
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, position);
      if (bytesRead === 0) break;
      length += bytesRead;
      position += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** A docker timestamp (RFC 3339 with up to nine digits) as a key that sorts as time does. */
function timeKey(stamp: string): string {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(stamp);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : stamp;
}

/** `docker logs --timestamps` of stdout and of stderr as one log, oldest first, stamps removed. */
export function mergeByTime(stdout: string, stderr: string): string[] {
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const space = l.indexOf(' ');
        return space < 0
          ? { key: timeKey(l), text: '' }
          : { key: timeKey(l.slice(0, space)), text: l.slice(space + 1) };
      });
  return [...lines(stdout), ...lines(stderr)]
    .map((l, i) => ({ ...l, i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((l) => l.text);
}
