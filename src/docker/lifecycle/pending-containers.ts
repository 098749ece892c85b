/**
 * Containers that wait for their image. Their docker arguments are kept in the pod's state
 * directory (root-only, like its secrets) so a plugin restart picks the pulls up again; the
 * image is pulled in the background and the container made once it is there.
 */
import { promises as fs } from 'node:fs';
import type { Logger } from '../../log.ts';
import { podFile, podLabelFile, podStateDir } from '../state-dir.ts';
import {
  type ContainerCommand,
  envFilePath,
  withoutEnvValues,
  withoutProbeLabels,
} from './container-command.ts';
import type { ImagePulls } from './image-pulls.ts';

/** `argv` is `create` or `run -d`, then the container's arguments; `env` how its env gets there. */
export interface PendingContainer extends ContainerCommand {
  name: string;
  image: string;
}

export interface PendingOptions {
  stateDir: string;
  pulls: ImagePulls;
  log: Logger;
  /** Makes a container whose image has arrived; returns its id, or throws. */
  make(uid: string, container: PendingContainer): Promise<string>;
  /** Called after containers of a pod were made; resolves once the view has them. */
  made(uid: string, ids: string[]): Promise<void>;
}

const FILE = 'pending.json';

export class PendingContainers {
  private readonly byPod = new Map<
    string,
    { containers: Map<string, PendingContainer>; abort: AbortController }
  >();

  constructor(private readonly options: PendingOptions) {}

  /** The waiting reason and message for a container still waiting for its image. */
  waiting(uid: string, name: string): { reason: string; message: string } | undefined {
    const c = this.byPod.get(uid)?.containers.get(name);
    if (!c) return undefined;
    const state = this.options.pulls.state(c.image);
    if (state?.phase === 'failed') return { reason: state.reason, message: state.message };
    return {
      reason: 'ContainerCreating',
      message: state?.phase === 'pulling' ? state.message : `waiting for image "${c.image}"`,
    };
  }

  has(uid: string): boolean {
    return this.byPod.has(uid);
  }

  /** Records the containers, then pulls and makes them in the background. */
  async add(uid: string, containers: PendingContainer[]): Promise<void> {
    if (containers.length === 0) return;
    const entry = { containers: new Map(containers.map((c) => [c.name, c])), abort: new AbortController() };
    this.byPod.set(uid, entry);
    await this.save(uid);
    for (const image of new Set(containers.map((c) => c.image)))
      void this.pullThenMake(uid, image, entry.abort.signal);
  }

  /** Picks up the pulls of pods that were waiting when the plugin stopped. */
  async resume(podUids: readonly string[]): Promise<void> {
    for (const uid of podUids) {
      const text = await fs
        .readFile(podFile(this.options.stateDir, uid, FILE), 'utf8')
        .catch(() => undefined);
      if (!text) continue;
      const containers = (JSON.parse(text) as PendingContainer[]).map((c) => ({
        ...c,
        ...withoutProbeLabels(
          withoutEnvValues(c, envFilePath(this.options.stateDir, uid, 'pending', c.name)),
          podLabelFile(this.options.stateDir, uid, 'pending', c.name),
        ),
      }));
      if (containers.length > 0) await this.add(uid, containers);
    }
  }

  /** Stops waiting for a pod's images (the pod is being deleted). */
  cancel(uid: string): void {
    this.byPod.get(uid)?.abort.abort();
    this.byPod.delete(uid);
  }

  private async pullThenMake(uid: string, image: string, signal: AbortSignal): Promise<void> {
    try {
      await this.options.pulls.pull(image, signal);
    } catch {
      return; // cancelled: the pod is gone
    }
    const entry = this.byPod.get(uid);
    if (!entry || signal.aborted) return;
    const ids: string[] = [];
    for (const c of [...entry.containers.values()].filter((x) => x.image === image)) {
      try {
        ids.push(await this.options.make(uid, c));
      } catch (err) {
        this.options.log.warn('container could not be made after its image arrived', {
          podUid: uid,
          container: c.name,
          error: (err as Error).message,
        });
      }
    }
    // Until the view has the new containers they stay "waiting" here, never "vanished".
    await this.options.made(uid, ids).catch(() => {});
    for (const c of [...entry.containers.values()].filter((x) => x.image === image))
      entry.containers.delete(c.name);
    if (entry.containers.size === 0) this.byPod.delete(uid);
    await this.save(uid);
  }

  private async save(uid: string): Promise<void> {
    const file = podFile(this.options.stateDir, uid, FILE);
    const containers = [...(this.byPod.get(uid)?.containers.values() ?? [])];
    if (containers.length === 0) {
      await fs.rm(file, { force: true });
      return;
    }
    await fs.mkdir(podStateDir(this.options.stateDir, uid), { recursive: true, mode: 0o700 });
    await fs.writeFile(file, JSON.stringify(containers), { mode: 0o600 });
  }
}
