/**
 * Where the engine cannot switch a container's restart policy (Podman 4.3's compat API has no
 * container update), a mesh helper stays `--restart no` once its mesh is up. The plugin then does
 * what Docker's `on-failure` would: it starts a helper that exited with a failure again, with
 * Docker's back-off (100 ms, doubling up to a minute, from the start again after a run of 10 s).
 */
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { startContainers } from '../engine/docker-verbs.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';

const FIRST_MS = 100;
const MAX_MS = 60_000;
const RESET_AFTER_MS = 10_000;

export class HelperRestarts {
  private readonly delays = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: { docker: DockerCli; log: Logger }) {}

  /** Starts the pod's helper again, after its back-off, when it exited with a failure. */
  keepUp(uid: string, helper: ContainerInspect): void {
    const s = helper.State;
    if (s.Status !== 'exited' || s.ExitCode === 0 || this.timers.has(uid)) return;
    const ran = Date.parse(s.FinishedAt) - Date.parse(s.StartedAt);
    const last = ran >= RESET_AFTER_MS ? 0 : (this.delays.get(uid) ?? 0);
    const delay = Math.min(Math.max(FIRST_MS, last * 2), MAX_MS);
    this.delays.set(uid, delay);
    const timer = setTimeout(() => {
      this.timers.delete(uid);
      this.options.log.info('restarting the mesh helper', { podUid: uid, exitCode: s.ExitCode });
      startContainers(this.options.docker, [helper.Id]).catch((err: Error) =>
        this.options.log.warn('could not restart the mesh helper', { podUid: uid, error: err.message }),
      );
    }, delay);
    timer.unref();
    this.timers.set(uid, timer);
  }

  forget(uid: string): void {
    clearTimeout(this.timers.get(uid));
    this.timers.delete(uid);
    this.delays.delete(uid);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
