/**
 * The one place that reads container state. An in-memory view of every container this plugin
 * owns, kept fresh by one long-lived `docker events` process (events-stream.ts); a batched
 * `docker ps` + `docker inspect` fills it at start-up, after any break of the events stream
 * (which then reconnects with --since so nothing is missed) and on a slow timer as a safety net.
 * Whether an exit was an OOM kill is oom-attribution.ts's to say, the last exit of a restarted
 * container last-exits.ts's; a container as kept here is container-record.ts's.
 */
import type { Logger } from '../../log.ts';
import { type DockerCli, isDaemonUnreachable } from '../engine/docker-cli.ts';
import { inspectPresent, listContainers } from '../engine/docker-verbs.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { changed, startedRecord, trim } from './container-record.ts';
import { type ContainerEvent, EventsStream } from './events-stream.ts';
import { recallExits } from './exit-recall.ts';
import { isBeforeExit, LastExits } from './last-exits.ts';
import { OomAttribution } from './oom-attribution.ts';
import { ReadHolds } from './read-holds.ts';
import { StartFailures } from './start-failures.ts';
import { TerminationMessages } from './termination-messages.ts';
import { UnreadStarts } from './unread-starts.ts';

export interface PodViewOptions {
  docker: DockerCli;
  instance: string;
  resyncMs: number;
  log: Logger;
  /** Rewrites a container as inspected before the view keeps it (restart counts Docker reset). */
  adjust?: (c: ContainerInspect) => void;
  /** How far ahead of now a read of past events must end for the engine to answer it (engine-kind.ts). */
  pastEventsLeadMs?: number;
  /** Called once the view is read again after the events stream broke (the daemon may have restarted). */
  reconnected?: () => void;
  /** The kernel log to read OOM kills from (default /dev/kmsg); false: Docker's reports only. */
  kernelLog?: string | false;
  /** Whether a container's process runs on the kernel the plugin sees (default: its /proc cgroup). */
  onThisKernel?: (id: string, pid: number) => boolean | undefined;
  /** The state dir whose termination message files the view reads at each exit; none: no messages. */
  stateDir?: string;
}

export interface ViewHealth {
  eventsConnected: boolean;
  lastSyncAt: Date | undefined;
  lastError: string | undefined;
}

type Listener = (podUid: string) => void;

/** How long container changes are gathered before one `docker inspect` reads them all. */
const BATCH_WINDOW_MS = 15;
/**
 * A read that still shows the run its die event ended (Podman reports a run as running until its
 * monitor has seen the exit) is read again after this long, for as long as STALE_WINDOW_MS after
 * the die, instead of showing the container running until the next resync.
 */
const STALE_RETRY_MS = 200;
const STALE_WINDOW_MS = 10_000;
/**
 * Between a run's exit and the StartedAt of the run the engine restarts is at least its restart
 * delay (Docker: 100 ms); a process may write before the engine notes StartedAt. A file written
 * after StartedAt less this is the later run's.
 */
const RESTART_MARGIN_MS = 50;

export class PodView {
  private readonly byId = new Map<string, ContainerInspect>();
  private readonly byPod = new Map<string, Set<string>>();
  private readonly listeners = new Set<Listener>();
  /** Per pod, a number that changes whenever anything kept of its containers changes. */
  private readonly revisions = new Map<string, number>();
  private lastRevision = 0;
  private readonly oom: OomAttribution;
  /** The last exit Docker reported per container (die/oom events), for lastState after a restart. */
  private readonly lastExits: LastExits;
  /** Containers a pod's maker started that no read has answered yet, as their start event told them. */
  private readonly started = new UnreadStarts();
  /** Each container's termination message, read once per exit. */
  private readonly messages: TerminationMessages | undefined;
  /** Containers Docker reported destroyed: an inspect that raced the destroy must not bring them back. */
  private destroyed = new Set<string>();
  private readonly events: EventsStream;
  private pending = new Set<string>();
  private reading = new Set<string>(); // what the flush under way reads
  /** While a caller makes or starts a pod's containers, its events wait for the caller's one read. */
  readonly holds = new ReadHolds((ids) => this.refresh(ids));
  readonly startFailures = new StartFailures();
  private flushing: Promise<void> | undefined;
  private flushScheduled: Promise<void> | undefined;
  private resyncing: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastSyncAt: Date | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: PodViewOptions) {
    this.oom = new OomAttribution({
      log: options.log,
      ...(options.kernelLog !== undefined ? { kernelLog: options.kernelLog } : {}),
      ...(options.onThisKernel ? { onThisKernel: options.onThisKernel } : {}),
    });
    this.lastExits = new LastExits(this.oom);
    if (options.stateDir !== undefined)
      this.messages = new TerminationMessages({
        stateDir: options.stateDir,
        docker: options.docker,
        log: options.log,
        read: (id) => this.messageRead(id),
      });
    this.events = new EventsStream({
      docker: options.docker,
      instance: options.instance,
      log: options.log,
      onEvent: (event) => this.onEvent(event),
      onReconnect: () => {
        // A resync also catches removals, and the daemon may have restarted meanwhile.
        this.resync().then(
          () => this.options.reconnected?.(),
          () => {},
        );
      },
      onError: (message) => {
        this.lastError = message;
      },
    });
  }

  /** Fills the view from Docker, then follows events. Resolves once the first sync is done. */
  async start(): Promise<void> {
    const confirmed = this.events.start();
    await this.resync();
    await this.recallExits();
    this.readMessagesOfPastExits();
    // Answering /status from memory right away needs the stream accepted, not just spawned.
    await confirmed;
    this.resyncTimer = setInterval(() => {
      this.resync().catch(() => {});
    }, this.options.resyncMs);
    this.resyncTimer.unref();
  }

  /**
   * The messages of exits from before this start, from the files they left in the state dir: an
   * exited container's, and a restarted one's previous run's if its file was not written since.
   */
  private readMessagesOfPastExits(): void {
    if (!this.messages) return;
    for (const c of this.byId.values()) {
      const labels = c.Config.Labels ?? {};
      const s = c.State;
      const startedMs = Date.parse(s.StartedAt);
      if (Number.isNaN(startedMs) || startedMs <= 0) continue;
      // The engine notes StartedAt once the process runs, which may have written by then; the
      // run before ended at least its restart delay earlier.
      const runBegan = startedMs - RESTART_MARGIN_MS;
      if (!s.Running && s.Status !== 'restarting' && s.Status !== 'created')
        this.messages.exited({
          id: c.Id,
          labels,
          exitCode: s.ExitCode,
          writtenFrom: c.RestartCount > 0 ? runBegan : undefined,
          logMayStandIn: true,
        });
      else if (s.Running && c.RestartCount > 0)
        this.messages.exited({
          id: c.Id,
          labels,
          exitCode: c.LastExit?.ExitCode ?? 0,
          writtenBefore: runBegan,
          logMayStandIn: false,
        });
    }
  }

  /** A container's termination message is read: the container as kept carries it. */
  private messageRead(id: string): void {
    const c = this.byId.get(id);
    const uid = c?.Config.Labels?.[LABEL.podUid];
    if (!c || !uid) return;
    c.TerminationMessage = this.messages?.get(id);
    this.revisions.set(uid, ++this.lastRevision);
    this.emit(uid);
  }

  /** The last exits of containers the engine restarted before this start, which no event told the view. */
  private async recallExits(): Promise<void> {
    for (const id of await recallExits(this.options, this.byId.values(), this.lastExits)) {
      const c = this.byId.get(id);
      const uid = c?.Config.Labels?.[LABEL.podUid];
      if (!c || !uid) continue;
      c.LastExit = this.lastExits.get(id);
      this.revisions.set(uid, ++this.lastRevision);
      this.emit(uid);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    this.events.close();
    await this.flushing;
    this.oom.close();
  }

  health(): ViewHealth {
    return { eventsConnected: this.events.connected, lastSyncAt: this.lastSyncAt, lastError: this.lastError };
  }

  /** True when the events stream is up, so the view can be trusted without asking Docker. */
  get live(): boolean {
    return this.events.connected;
  }

  /** Called with a pod's UID whenever one of its containers changed. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  containersOfPod(podUid: string): ContainerInspect[] {
    const ids = this.byPod.get(podUid);
    if (!ids) return [];
    return [...ids].map((id) => this.byId.get(id)).filter((c): c is ContainerInspect => c !== undefined);
  }

  /**
   * The pod's containers as /status reports them: those read, and those its maker started that
   * no read has answered yet, as their `start` event told them.
   */
  containersToReport(podUid: string): ContainerInspect[] {
    const read = this.containersOfPod(podUid);
    if (!this.started.hasPod(podUid)) return read;
    return [...read, ...[...this.started.of(podUid)].filter((c) => !this.byId.has(c.Id))];
  }

  /** Whether a container is running as far as the view knows (unknown ids count as running). */
  isRunning(id: string): boolean {
    const c = this.byId.get(id);
    return (
      !c || c.State.Status === 'running' || c.State.Status === 'restarting' || c.State.Status === 'paused'
    );
  }

  /** How many times the container was OOM-killed, as far as the plugin knows. */
  oomKills(id: string): number {
    return this.oom.count(id);
  }

  /**
   * A number that changes whenever anything the view keeps of the pod's containers changes (every
   * read of one, its removal, an OOM verdict arriving late): what an answer made from them is keyed by.
   */
  revision(podUid: string): number {
    return this.revisions.get(podUid) ?? 0;
  }

  podUids(): string[] {
    return [...this.byPod.keys()];
  }

  /** Whether any container of the pod is in the view. */
  hasPod(uid: string): boolean {
    return this.byPod.has(uid);
  }

  /** Re-reads the given containers now (coalesced with other pending reads) and waits for it. */
  refresh(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.add(id);
    return this.scheduleFlush();
  }

  /** Containers the caller is about to remove: their kill/die events are not worth an inspect. */
  expectGone(ids: readonly string[]): void {
    for (const id of ids) this.destroyed.add(id);
  }

  /** The removal failed: these containers' events count again. */
  unexpectGone(ids: readonly string[]): void {
    for (const id of ids) this.destroyed.delete(id);
  }

  /** Drops containers the caller has just removed; their destroy events will agree. */
  forget(ids: readonly string[]): void {
    for (const id of ids) {
      this.destroyed.add(id);
      this.dropStarted(id);
      this.remove(id);
    }
  }

  /** Makes the view answer without the events stream: one full batched read, shared by callers. */
  async ensureFresh(): Promise<void> {
    if (!this.events.connected) await this.resync();
  }

  /** Re-reads every container this plugin owns: one `docker ps`, one `docker inspect`. */
  resync(): Promise<void> {
    this.resyncing ??= this.doResync().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async doResync(): Promise<void> {
    const { docker, instance } = this.options;
    try {
      const listed = await listContainers(docker, `${LABEL.owner}=${instance}`);
      for (const id of [...this.byId.keys()]) if (!listed.has(id)) this.remove(id);
      // Only what the view does not know, or knows in another state, is read again: a full
      // inspect of thousands of containers would stall /status for the parse.
      const stale = [...listed]
        .filter(([id, state]) => this.byId.get(id)?.State.Status !== state)
        .map(([id]) => id);
      const seen = await inspectPresent(this.options.docker, stale);
      const found = new Set(seen.map((c) => c.Id));
      for (const id of stale) if (!found.has(id)) this.remove(id);
      for (const c of seen) this.upsert(c);
      this.lastSyncAt = new Date();
    } catch (err) {
      this.lastError = `resync failed: ${(err as Error).message}`;
      // An outage is logged once, where the docker CLI notices it; not once per poll here.
      const level = isDaemonUnreachable(err) ? 'debug' : 'warn';
      this.options.log[level]('pod view resync failed', { error: (err as Error).message });
      throw err;
    }
  }

  private scheduleFlush(): Promise<void> {
    // One flush at a time; requests arriving meanwhile share the next one.
    this.flushScheduled ??= (async () => {
      await this.flushing;
      // A pod's create/start events come in bursts: one inspect serves the whole burst.
      await new Promise((r) => setTimeout(r, BATCH_WINDOW_MS));
      this.flushScheduled = undefined;
      const ids = [...this.pending];
      this.pending.clear();
      this.reading = new Set(ids);
      this.flushing = this.flush(ids);
      await this.flushing;
    })();
    return this.flushScheduled;
  }

  private async flush(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      const found = await inspectPresent(this.options.docker, ids);
      const foundIds = new Set(found.map((c) => c.Id));
      for (const c of found) this.upsert(c);
      for (const id of ids) if (!foundIds.has(id)) this.remove(id);
      for (const id of ids) if (!foundIds.has(id)) this.dropStarted(id);
    } catch (err) {
      this.options.log.warn('container inspect failed', { error: (err as Error).message });
    }
  }

  private readAgainSoon(id: string, exitAt: string): void {
    if (this.closed || Date.now() - Date.parse(exitAt) > STALE_WINDOW_MS) return;
    setTimeout(() => void this.refresh([id]).catch(() => {}), STALE_RETRY_MS).unref();
  }

  /** The container's `start` event no longer stands for it (read, ended or gone). */
  private dropStarted(id: string, uid?: string): void {
    const pod = this.started.drop(id, uid);
    if (pod === undefined) return;
    this.revisions.set(pod, ++this.lastRevision);
    if (!this.byPod.has(pod) && !this.started.hasPod(pod)) this.revisions.delete(pod);
  }

  private upsert(full: ContainerInspect): void {
    const uid = full.Config.Labels?.[LABEL.podUid];
    this.dropStarted(full.Id, uid);
    if (!uid || full.Config.Labels?.[LABEL.owner] !== this.options.instance) return;
    if (this.destroyed.has(full.Id)) return;
    const c = trim(full);
    this.options.adjust?.(c);
    this.startFailures.apply(c);
    if (c.State.Running) this.oom.sawRunning(c.Id, c.State.Pid);
    else if (!c.State.OOMKilled) {
      this.oom.catchUp();
      if (this.oom.killedInRun(c.Id, c.State.StartedAt, c.State.FinishedAt)) c.State.OOMKilled = true;
    }
    const last = this.lastExits.get(c.Id);
    if (last) c.LastExit = last;
    const message = this.messages?.get(c.Id);
    if (message) c.TerminationMessage = message;
    if (c.State.Running && last && isBeforeExit(c.State.StartedAt, last.At))
      this.readAgainSoon(c.Id, last.At);
    const before = this.byId.get(c.Id);
    this.byId.set(c.Id, c);
    const set = this.byPod.get(uid) ?? new Set<string>();
    this.byPod.set(uid, set);
    set.add(c.Id);
    this.revisions.set(uid, ++this.lastRevision);
    if (!before || changed(before, c)) this.emit(uid);
  }

  private remove(id: string): void {
    const c = this.byId.get(id);
    if (!c) return;
    this.byId.delete(id);
    this.startFailures.forget(id);
    const uid = c.Config.Labels?.[LABEL.podUid] ?? '';
    const set = this.byPod.get(uid);
    set?.delete(id);
    this.revisions.set(uid, ++this.lastRevision);
    if (set && set.size === 0) {
      this.byPod.delete(uid);
      this.revisions.delete(uid);
    }
    this.emit(uid);
  }

  private emit(uid: string): void {
    for (const l of this.listeners) l(uid);
  }

  private onEvent({ id, action, attributes, atMs }: ContainerEvent): void {
    // Containers the plugin is removing itself: their last events need no inspect.
    if (this.destroyed.has(id) && action !== 'destroy') return;
    if (action === 'oom') {
      const kept = this.byId.get(id);
      // The kept container may hold this very exit as its LastExit.
      const lastChanged = this.lastExits.oomReported(id, atMs, kept);
      // Docker's oom can come after the die, and after the die's read: the exit kept is this kill's.
      const exitChanged =
        kept !== undefined && !kept.State.Running && !kept.State.OOMKilled && endedBy(kept, atMs);
      if (exitChanged) kept.State.OOMKilled = true;
      const uid = kept?.Config.Labels?.[LABEL.podUid];
      if (uid && (lastChanged || exitChanged)) this.revisions.set(uid, ++this.lastRevision);
      if (uid && exitChanged) this.emit(uid);
      // Otherwise a read would show nothing new until the container exits, and its die is read: a
      // container whose child processes are OOM-killed without end (each an event) made a read of each.
      return;
    }
    if (action === 'die') {
      const exitCode = Number(attributes.exitCode ?? 0);
      // What the file held at the exit before was that run's: this run's words came after it.
      const previous = this.lastExits.get(id)?.At;
      this.lastExits.died(id, atMs, exitCode, this.byId.get(id)?.State.StartedAt);
      this.messages?.exited({
        id,
        labels: attributes,
        exitCode,
        writtenFrom: previous !== undefined ? Date.parse(previous) : undefined,
        logMayStandIn: true,
        endedAt: atMs,
      });
    }
    const podUid = attributes[LABEL.podUid];
    // Probes and hooks decide such a container's readiness, and they begin from its read.
    const probed = (attributes[LABEL.probes] ?? '') !== '';
    if (action === 'die' || action === 'destroy') this.dropStarted(id, podUid);
    // Its start event may come after the maker let go of the pod, before the maker's read is in.
    else if (
      action === 'start' &&
      podUid &&
      (this.holds.isHeld(podUid) || this.holds.awaitsStart(id)) &&
      !this.byId.has(id) &&
      !probed
    ) {
      this.started.add(podUid, startedRecord(id, attributes, atMs));
      this.revisions.set(podUid, ++this.lastRevision);
    }
    if (action === 'destroy') {
      this.pending.delete(id);
      this.holds.forget(id);
      this.lastExits.forget(id);
      this.messages?.forget(id);
      this.oom.forget(id);
      this.destroyed.add(id);
      this.remove(id);
      return;
    }
    const known = this.byId.has(id) || this.pending.has(id) || this.reading.has(id);
    if (!this.holds.needsRead(id, podUid, action, known)) return;
    this.refresh([id]).catch(() => {});
  }
}

/** How long after a run's end Docker's oom event for it may still come. */
const OOM_AFTER_EXIT_MS = 5000;

/** Whether an oom event at `atMs` belongs to the run the kept (exited) container shows. */
function endedBy(c: ContainerInspect, atMs: number): boolean {
  const started = Date.parse(c.State.StartedAt);
  const finished = Date.parse(c.State.FinishedAt);
  if (Number.isNaN(finished) || finished <= 0) return false;
  return (Number.isNaN(started) || atMs >= Math.floor(started)) && atMs <= finished + OOM_AFTER_EXIT_MS;
}
