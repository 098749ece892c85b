/**
 * The last exit of each container, as its `die` and `oom` events told it: Docker and Podman clear
 * a container's ExitCode when they restart it, so a restarted container's lastState (its exit
 * code, whether the kernel OOM-killed it, when) comes from here. Whether a run ended in an OOM kill
 * is oom-attribution.ts's to say.
 */
import type { ContainerInspect } from '../engine/inspect-types.ts';
import type { OomAttribution } from './oom-attribution.ts';

export type LastExit = NonNullable<ContainerInspect['LastExit']>;

export class LastExits {
  private readonly byId = new Map<string, LastExit>();

  constructor(private readonly oom: OomAttribution) {}

  get(id: string): LastExit | undefined {
    return this.byId.get(id);
  }

  /**
   * A `die` event: the run that ended is the latest one known, the kept container's or, when the
   * view has not seen that run start (a quick restart), the one that began after the last exit.
   */
  died(id: string, atMs: number, exitCode: number, runStartedAt: string | undefined): void {
    const at = new Date(atMs).toISOString();
    const started = [runStartedAt, this.byId.get(id)?.At]
      .filter((t): t is string => t !== undefined)
      .sort((x, y) => Date.parse(y) - Date.parse(x))[0];
    this.oom.catchUp();
    this.byId.set(id, { ExitCode: exitCode, OOMKilled: this.oom.killedInRun(id, started, at), At: at });
  }

  /**
   * An `oom` event. One reported after its die still belongs to that exit, unless the container
   * ran again since (`current`: the container as kept). True when the last exit became an OOM kill
   * (the kept container may hold this very exit as its LastExit).
   */
  oomReported(id: string, atMs: number, current: ContainerInspect | undefined): boolean {
    this.oom.reported(id, atMs);
    const last = this.byId.get(id);
    if (!last) return false;
    if (current?.State.Running && Date.parse(current.State.StartedAt) > Date.parse(last.At)) return false;
    last.OOMKilled = true;
    return true;
  }

  /**
   * Exits from before the plugin started, replayed from the engine's record of past events (die and
   * oom, oldest first; exit-recall.ts), for containers none of whose exits this plugin saw: the
   * last one is each container's LastExit. The first run a replay ends began no earlier than
   * `since`, where the replay begins (an OOM kill ends its run at once, so a kill before then
   * belongs to an earlier run). `current`: the container as kept. Returns the ids given an exit.
   */
  recall(
    events: readonly { id: string; action: string; atMs: number; exitCode: number }[],
    since: string,
    current: (id: string) => ContainerInspect | undefined,
  ): string[] {
    const recalled = new Set<string>();
    for (const { id, action, atMs, exitCode } of events) {
      // An exit the live events told is later than any the replay holds.
      if (this.byId.has(id) && !recalled.has(id)) continue;
      const last = this.byId.get(id);
      const runStartedAt = current(id)?.State.StartedAt ?? '';
      const runStart = Date.parse(runStartedAt);
      if (action === 'oom') {
        this.oom.reported(id, atMs);
        // After its die, unless the current run began in between (then it was this run's).
        if (last && atMs >= Date.parse(last.At) && !(runStart > Date.parse(last.At) && runStart <= atMs))
          last.OOMKilled = true;
        continue;
      }
      if (action !== 'die') continue;
      const at = new Date(atMs).toISOString();
      // The run that ended began after the exit before it (or the replay's start), or is the current run.
      const floor = last?.At ?? since;
      const started = runStart <= atMs && runStart > Date.parse(floor) ? runStartedAt : floor;
      this.oom.catchUp();
      this.byId.set(id, { ExitCode: exitCode, OOMKilled: this.oom.killedInRun(id, started, at), At: at });
      recalled.add(id);
    }
    return [...recalled];
  }

  forget(id: string): void {
    this.byId.delete(id);
  }
}

/** Whether a run that started at `startedAt` began before the exit at `exitAt`: it is that exit's run. */
export function isBeforeExit(startedAt: string, exitAt: string): boolean {
  return Date.parse(startedAt) <= Date.parse(exitAt);
}
