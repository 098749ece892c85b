/**
 * Every start the plugin itself makes (init sequencing, revival after a daemon restart or a
 * reboot, a restart after a kill) passes here first: the containers' subPaths are pinned again
 * from what is on disk now, as the kubelet prepares subPaths before each container start. A
 * container whose subPath became a symlink is not started and shows CreateContainerConfigError.
 */
import type { Logger } from '../../log.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { podStateDir } from '../state-dir.ts';
import { canMakeMounts } from './host-mounts.ts';
import { repin } from './subpath-pins.ts';

export interface PinGateOptions {
  stateDir: string;
  log: Logger;
  /** The pod's containers as the view knows them. */
  containersOf(uid: string): readonly ContainerInspect[];
  /** Throws when the Docker daemon does not find `dir` (state-dir-probe.ts). */
  seenByDocker(dir: string): Promise<void>;
}

export class PinGate {
  /** Whether this plugin can make mounts; decided once at start-up. */
  private canPin = false;
  /** Containers refused a start, by pod UID then container name. */
  private readonly refused = new Map<string, Map<string, string>>();

  constructor(private readonly options: PinGateOptions) {}

  /** Finds out, once, whether subPaths can be pinned here. */
  async detect(): Promise<boolean> {
    const can = await canMakeMounts(this.options.stateDir, this.options.seenByDocker);
    this.canPin = can === true;
    if (can !== true)
      this.options.log.warn(
        'subPaths into emptyDir and hostPath volumes are refused, and whole hostPaths are bound by path: the plugin cannot make mounts that Docker sees (it pins each with a bind mount so that no container can swap it for a symlink); run it as root with CAP_SYS_ADMIN in the host mount namespace to allow them (docs/security-subpath.md)',
        { reason: can },
      );
    return this.canPin;
  }

  get available(): boolean {
    return this.canPin;
  }

  /** Why a container was not started, as its waiting state says. */
  refusal(uid: string, name: string): { reason: string; message: string } | undefined {
    const message = this.refused.get(uid)?.get(name);
    return message === undefined ? undefined : { reason: 'CreateContainerConfigError', message };
  }

  forget(uid: string): void {
    this.refused.delete(uid);
  }

  /** Pins the containers' subPaths again; returns the ids that may start. */
  async beforeStart(uid: string, ids: readonly string[]): Promise<string[]> {
    if (!this.canPin) return [...ids];
    const byId = new Map(this.options.containersOf(uid).map((c) => [c.Id, c]));
    const names = new Map<string, string>();
    for (const id of ids) {
      const c = byId.get(id);
      const role = c?.Config.Labels?.[LABEL.role];
      const name = c?.Config.Labels?.[LABEL.containerName];
      if (name && (role === 'init' || role === 'main')) names.set(id, name);
    }
    if (names.size === 0) return [...ids];
    let refusals: Map<string, string>;
    try {
      refusals = await repin(podStateDir(this.options.stateDir, uid), [...names.values()]);
    } catch (err) {
      // Nothing is started on a pin that could not be checked.
      this.options.log.warn('could not pin subPaths; the containers are not started', {
        podUid: uid,
        error: (err as Error).message,
      });
      return ids.filter((id) => !names.has(id));
    }
    const pod = this.refused.get(uid) ?? new Map<string, string>();
    for (const name of names.values()) {
      const message = refusals.get(name);
      if (message === undefined) pod.delete(name);
      else {
        pod.set(name, message);
        this.options.log.warn('container not started: its subPath is unsafe', {
          podUid: uid,
          container: name,
          error: message,
        });
      }
    }
    if (pod.size > 0) this.refused.set(uid, pod);
    else this.refused.delete(uid);
    return ids.filter((id) => {
      const name = names.get(id);
      return name === undefined || !refusals.has(name);
    });
  }
}
