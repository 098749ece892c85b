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
    const { docker, view, log } = this.options;
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
      if (this.options.keepsStartErrors === false) started = await this.startEach(ids);
      else {
        await startContainers(docker, ids);
        started = ids;
      }
      crashPoint('sequence:started');
      const [first] = ids;
      const init = ids.length === 1 && [...containers.init.values()].some((c) => c.Id === first);
      if (init && first) await view.holds.untilDie(uid, first, INIT_END_WAIT_MS);
    } catch (err) {
      // A container that cannot run (command not found...) ends exited with Docker's reason,
      // which the status reports; the others named in the same call were still started.
      log.warn('container start failed', {
        podUid: uid,
        error: err instanceof DockerCliError ? err.reason : String(err),
      });
    } finally {
      await view.holds.release(uid, step.ids, started);
    }
  }

  /** Starts each container alone, noting why one could not start; answers those started. */
  private async startEach(ids: readonly string[]): Promise<string[]> {
    const { docker, view, log } = this.options;
    const started: string[] = [];
    for (const id of ids) {
      try {
        await startContainers(docker, [id]);
        started.push(id);
      } catch (err) {
        if (!(err instanceof DockerCliError)) throw err;
        view.startFailures.note(id, startFailureOf(err.stderr));
        log.warn('container start failed', { containerId: id, error: err.reason });
      }
    }
    return started;
  }
}
