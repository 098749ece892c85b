/**
 * The one long-lived `docker events` process the pod view follows, for the plugin's containers.
 * It is confirmed by one round trip to the daemon (a spawned stream is not yet an accepted one),
 * and when it breaks it is spawned again a second later with --since the last event seen, so
 * nothing in between is missed. It hands on the events that can change what inspect says.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { containerEvents, serverVersion } from '../engine/docker-verbs.ts';
import { LABEL } from '../labels.ts';

/** A container event as Docker (or Podman, through its Docker API) prints it. */
export interface ContainerEvent {
  id: string;
  action: string;
  /** The container's labels, name and image, and `exitCode` on a `die`. */
  attributes: Readonly<Record<string, string>>;
  /** When the engine saw it, in ms since the epoch (from its nanoseconds where it gives them). */
  atMs: number;
  /** Unix seconds, as `--since` takes them; 0 when the event has none. */
  time: number;
}

/**
 * Events that cannot change what inspect says (exec sessions, attach, resize...), or only what
 * the plugin does not read (the health of a container an older plugin made with its image's
 * HEALTHCHECK, which may change every few ms).
 */
const IGNORED_ACTIONS =
  /^(exec_|attach|detach|resize|top|export|copy|archive-path|extract-to-dir|commit|health_status)/;

/** One line of `docker events --format '{{json .}}'`; undefined for what is not an event worth reading. */
export function parseEvent(line: string): ContainerEvent | undefined {
  let event: {
    Action?: string;
    status?: string;
    id?: string;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
    time?: number;
    timeNano?: number;
  };
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const id = event.Actor?.ID ?? event.id;
  const action = event.Action ?? event.status ?? '';
  if (!id || IGNORED_ACTIONS.test(action)) return undefined;
  return {
    id,
    action,
    attributes: event.Actor?.Attributes ?? {},
    atMs: event.timeNano ? event.timeNano / 1e6 : Date.now(),
    time: event.time ?? 0,
  };
}

export interface EventsStreamOptions {
  docker: DockerCli;
  instance: string;
  log: Logger;
  onEvent: (event: ContainerEvent) => void;
  /** The stream broke and is spawned again: what changed meanwhile and is not replayed needs a read. */
  onReconnect: () => void;
  /** What went wrong with the stream last; undefined once it is confirmed. */
  onError: (message: string | undefined) => void;
}

export class EventsStream {
  private child: ChildProcessWithoutNullStreams | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Unix seconds of the last event seen, for `--since` on reconnect. */
  private lastEventAt = 0;
  private up = false;

  constructor(private readonly options: EventsStreamOptions) {}

  /** True while the stream is accepted by the daemon. */
  get connected(): boolean {
    return this.up;
  }

  /** Follows events from now on; resolves once Docker has accepted the stream, or once that failed. */
  start(): Promise<void> {
    this.lastEventAt = Math.floor(Date.now() / 1000);
    return this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.child?.kill();
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const { docker, instance, log, onError } = this.options;
    const child = containerEvents(docker, `${LABEL.owner}=${instance}`, String(this.lastEventAt));
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-2000);
    });
    // A spawned `docker events` has not been accepted yet: a daemon that is down makes it exit at
    // once. One round trip to the daemon while the stream still lives is the confirmation.
    const confirmed = new Promise<void>((resolve) => {
      child.once('error', () => resolve());
      child.once('spawn', () => {
        serverVersion(docker)
          .then(
            () => {
              if (this.child !== child || child.exitCode !== null || child.signalCode !== null) return;
              this.up = true;
              onError(undefined);
            },
            (err: Error) => onError(`docker events not confirmed: ${err.message}`),
          )
          .finally(resolve);
      });
    });
    child.on('error', (err) => onError(`docker events: ${err.message}`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseEvent(line);
      if (!event) return;
      if (event.time) this.lastEventAt = Math.max(this.lastEventAt, event.time);
      this.options.onEvent(event);
    });
    child.on('close', (code) => {
      const wasConnected = this.up;
      this.up = false;
      if (this.closed) return;
      const error = `docker events stopped (exit ${code}): ${stderr.trim() || 'no output'}`;
      onError(error);
      // Self-healing, so not a warning; retries that never connected (Docker down) are not news:
      // an outage is logged once, at warn, where the docker CLI notices it.
      log[wasConnected ? 'info' : 'debug'](
        'docker events stream broke; answering from batched lookups until it is back',
        { error },
      );
      this.reconnectTimer = setTimeout(() => {
        void this.connect();
        // Events from the break are replayed by --since; the caller's resync also catches removals.
        this.options.onReconnect();
      }, 1000);
    });
    return confirmed;
  }
}
