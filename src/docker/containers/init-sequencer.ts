/**
 * Starts a pod's containers in order (init containers one by one, then the main ones) from
 * Docker's state alone, whenever that state changes: so the sequence resumes after a plugin
 * restart. What to start next is pod-containers.ts's decision; this owns the runs, one per pod.
 */
import { crashPoint } from '../../crash-points.ts';
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import { startContainers } from '../engine/docker-verbs.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { settleAtMost } from '../engine/settle-at-most.ts';
import { startFailureOf } from '../engine/start-failure.ts';
import { groupContainers, nextStep, podShapeFromLabels } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';

export interface InitSequencerOptions {
  docker: DockerCli;
  view: PodView;
  log: Logger;
  /** Pods being created or deleted: their containers are someone else's business meanwhile. */
  busy(uid: string): boolean;
  /** Whether anything of the pod may start yet (false while its mesh network comes up: mesh-gate.ts). */
  mayStart?(uid: string, containers: readonly ContainerInspect[]): Promise<boolean>;
  /** Pins the containers' subPaths again (pin-gate.ts); returns the ids that may start. */
  beforeStart?(uid: string, ids: readonly string[]): Promise<string[]>;
  /**
   * false on Podman, which keeps no reason for a failed start in the container's state: each
   * container is then started alone, so the reason of its own failure is told to the view.
   */
  keepsStartErrors?: boolean;
}

/**
 * How long a started init container is given to end before its start is read: init containers
 * often end at once, and their start and end are then read by one `docker inspect`, not two.
 */
const INIT_END_WAIT_MS = 250;

export class InitSequencer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly options: InitSequencerOptions) {}

  /** Starts what the pod needs next; re-runs when Docker changed meanwhile. One run per pod at a time. */
  advance(uid: string): Promise<void> {
    const running = this.running.get(uid);
    if (running) {
      this.again.add(uid);
      return running;
    }
    const run = (async () => {
      do {
        this.again.delete(uid);
        await this.step(uid).catch((err: Error) =>
          this.options.log.warn('could not start pod containers', { podUid: uid, error: err.message }),
        );
      } while (this.again.has(uid));
    })().finally(() => this.running.delete(uid));
    this.running.set(uid, run);
    return run;
  }

  /** Resolves once every run under way has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }

  private async step(uid: string): Promise<void> {
    const { view, log } = this.options;
    if (this.options.busy(uid)) return;
    const all = view.containersOfPod(uid);
    const containers = groupContainers(all);
    if (!containers.anchor) return;
    if (this.options.mayStart && !(await this.options.mayStart(uid, all))) return;
    const step = nextStep(podShapeFromLabels(uid, containers), containers);
    if (step.kind !== 'start') return;
    const ids = this.options.beforeStart ? await this.options.beforeStart(uid, step.ids) : step.ids;
    if (ids.length === 0) return;
    // Read once started, not at each event of the start.
    view.holds.hold(uid);
    let started: readonly string[] = [];
    try {
      started = await this.startEach(ids);
      crashPoint('sequence:started');
      const [first] = started;
      const init = ids.length === 1 && [...containers.init.values()].some((c) => c.Id === first);
      if (init && first) await view.holds.untilDie(uid, first, INIT_END_WAIT_MS);
    } catch (err) {
      log.warn('container start failed', {
        podUid: uid,
        error: err instanceof DockerCliError ? err.reason : String(err),
      });
    } finally {
      await view.holds.release(uid, step.ids, started);
    }
  }

  /**
   * Starts each container alone, eight at once: the CLI starts the containers of one `docker start`
   * one after the other (4 took 0.3-1.5 s on a loaded 2-core host; at once, 0.3-0.4 s). One that
   * cannot start does not keep the others from starting; on an engine that keeps no reason for it
   * in the container's state (Podman) the view is told why. Answers those started.
   */
  private async startEach(ids: readonly string[]): Promise<string[]> {
    const { docker, view, log } = this.options;
    const outcomes = await settleAtMost(ids, (id) => startContainers(docker, [id]));
    const started: string[] = [];
    ids.forEach((id, i) => {
      const outcome = outcomes[i];
      if (outcome?.status === 'fulfilled') {
        started.push(id);
        return;
      }
      const err: unknown = outcome?.reason;
      if (err instanceof DockerCliError && this.options.keepsStartErrors === false)
        view.startFailures.note(id, startFailureOf(err.stderr));
      log.warn('container start failed', {
        containerId: id,
        error: err instanceof DockerCliError ? err.reason : String(err),
      });
    });
    return started;
  }
}
