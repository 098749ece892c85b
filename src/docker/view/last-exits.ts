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

  forget(id: string): void {
    this.byId.delete(id);
  }
}
