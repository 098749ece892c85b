/**
 * The Docker backend: a pod is a sandbox container holding its network plus one container per
 * spec container, all labelled, so Docker itself is the record of every pod. Reads go through
 * the PodView; writes are docker CLI calls with argument vectors.
 */

import type { Backend } from '../backend/backend.ts';
import type { Config } from '../config.ts';
import type {
  CreateStruct,
  Health,
  LogStruct,
  PingResponse,
  Pod,
  PodStatus,
  RetrievedPodData,
} from '../contract/api-types.ts';
import { PluginError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { currentRunSince, dockerLogsArgs, streamLogs } from './container-logs.ts';
import { ContainerProbes } from './container-probes.ts';
import { type DockerCli, DockerCliError } from './docker-cli.ts';
import {
  containerIdByName,
  type EngineInfo,
  engineInfo,
  imageUsers,
  removeContainers,
  removeVolumes,
  startContainers,
  stopContainers,
} from './docker-verbs.ts';
import { ImagePulls } from './image-pulls.ts';
import { KeyedLock } from './keyed-lock.ts';
import { podDockerVolumes } from './memory-volumes.ts';
import { containerName, podIdentity, podJobId } from './naming.ts';
import { BUILTIN_PAUSE_IMAGE, ensurePauseImage } from './pause-image.ts';
import { PendingContainers } from './pending-containers.ts';
import { groupContainers, nextStep, podShapeFromLabels } from './pod-containers.ts';
import { type PodNotes, podStatus } from './pod-status.ts';
import { type PodNetwork, sandboxRunArgs } from './pod-to-docker-args.ts';
import { PodView } from './pod-view.ts';
import {
  type HostFacts,
  imagesNeedingUser,
  type PreparedContainer,
  type PreparedPod,
  preparePod,
} from './prepare-pod.ts';
import { removePodVolumes, writePodVolumes } from './volume-files.ts';
import { sandboxMountArgs } from './volume-mounts.ts';

export interface DockerBackendOptions {
  config: Config;
  docker: DockerCli;
  log: Logger;
}

const INFO_TTL_MS = 60_000;

export class DockerBackend implements Backend {
  readonly view: PodView;
  private readonly probes: ContainerProbes;
  private readonly config: Config;
  private readonly docker: DockerCli;
  private readonly log: Logger;
  private readonly locks = new KeyedLock();
  /** Pods whose create is under way: their missing containers are "creating", not "vanished". */
  private readonly creating = new Set<string>();
  /** Pods just created, until the view has read their containers: logs and delete wait for it. */
  private readonly arriving = new Map<string, Promise<void>>();
  /** Pods being deleted: nothing is started for them any more. */
  private readonly deleting = new Set<string>();
  /** Containers that could not be made, by pod UID then container name (e.g. a failed pull). */
  private readonly failures = new Map<string, Map<string, { reason: string; message: string }>>();
  private readonly reconciling = new Map<string, Promise<void>>();
  private readonly reconcileAgain = new Set<string>();
  private info: { at: number; value: Promise<EngineInfo> } | undefined;
  private readonly pauseImage: string;
  private readonly pending: PendingContainers;

  constructor(options: DockerBackendOptions) {
    this.config = options.config;
    this.docker = options.docker;
    this.log = options.log;
    this.pauseImage = options.config.pauseImage || BUILTIN_PAUSE_IMAGE;
    this.view = new PodView({
      docker: this.docker,
      instance: this.config.instance,
      resyncMs: this.config.resyncSeconds * 1000,
      log: this.log.child({ component: 'pod-view' }),
    });
    this.pending = new PendingContainers({
      stateDir: this.config.stateDir,
      pulls: new ImagePulls({
        docker: this.docker,
        log: this.log.child({ component: 'image-pulls' }),
        initialBackoffMs: this.config.imagePullBackoffSeconds * 1000,
      }),
      log: this.log,
      make: async (_uid, c) => (await this.docker.run(c.argv)).stdout.trim(),
      made: async (uid, ids) => {
        await this.view.refresh(ids);
        void this.reconcile(uid);
      },
    });
    this.probes = new ContainerProbes({
      docker: this.docker,
      view: this.view,
      log: this.log.child({ component: 'probes' }),
    });
  }

  /** Builds the sandbox image if needed, fills the view, and resumes any pod mid-sequence. */
  async start(): Promise<void> {
    await ensurePauseImage(this.docker, this.pauseImage);
    await this.view.start();
    await this.pending.resume(this.view.podUids());
    this.view.onChange((uid) => this.reconcile(uid));
    for (const uid of this.view.podUids()) this.reconcile(uid);
    this.probes.start();
  }

  async close(): Promise<void> {
    this.probes.close();
    await this.view.close();
    await Promise.allSettled(this.reconciling.values());
  }

  async create(data: RetrievedPodData): Promise<CreateStruct> {
    // Everything that can be refused is refused here, before anything exists.
    const prepared = preparePod(data, this.config, await this.hostFacts(data.pod));
    const { uid } = prepared.identity;
    const answer = { PodUID: uid, PodJID: podJobId(prepared.identity) };
    return this.locks.run(uid, async () => {
      await this.view.ensureFresh();
      // A retried create finds the pod in Docker (or still on its way there) and changes nothing.
      if (this.creating.has(uid) || this.view.containersOfPod(uid).length > 0) return answer;
      this.creating.add(uid);
      let made: string[];
      try {
        made = await this.createPod(prepared);
      } catch (err) {
        this.creating.delete(uid);
        throw err;
      }
      const seen = this.view.refresh(made).finally(() => {
        this.creating.delete(uid);
        this.arriving.delete(uid);
      });
      this.arriving.set(uid, seen);
      // Containers that were only created need starting in order, which needs the view; the
      // others are running already, and the view learns of them without holding up the answer.
      if (prepared.containers.some((c) => c.role === 'init')) {
        await seen;
        await this.reconcile(uid);
      }
      return answer;
    });
  }

  /** What preparing a pod needs from the host: its size (downward API) and image users (security checks). */
  private async hostFacts(pod: Pod): Promise<HostFacts> {
    const info = await this.dockerInfo();
    const images = imagesNeedingUser(pod);
    // Images not present yet are checked by nobody: the pull happens at create (documented).
    const users = images.length > 0 ? await imageUsers(this.docker, images) : new Map<string, string>();
    return { nodeAllocatable: { cpu: info.NCPU, memory: info.MemTotal }, imageUsers: users };
  }

  /**
   * Makes the pod's containers. A pod of one container and no init containers is that one
   * container (`docker run -d`, as cheap as it gets); any other pod gets a sandbox holding the
   * network, then its containers: run at once, or only created when init containers go first.
   */
  private async createPod(prepared: PreparedPod): Promise<string[]> {
    const { identity, pod, containers } = prepared;
    const verb = containers.some((c) => c.role === 'init') ? ['create'] : ['run', '-d'];
    const made: string[] = [];
    const failures = new Map<string, { reason: string; message: string }>();
    const waitForImage: PreparedContainer[] = [];
    let network: PodNetwork = { kind: 'own' };
    const makeSandbox = async () => {
      const sandboxArgs = sandboxRunArgs({
        pod,
        instance: this.config.instance,
        image: this.pauseImage,
        extraArgs: sandboxMountArgs(prepared.volumes),
      });
      const sandbox = (await this.docker.run(sandboxArgs)).stdout.trim();
      made.push(sandbox);
      network = { kind: 'sandbox', sandbox };
    };
    try {
      await writePodVolumes(prepared.volumes);
      if (containers.length > 1 || sandboxMountArgs(prepared.volumes).length > 0) await makeSandbox();
      for (const c of containers) {
        if (c.configError) {
          failures.set(c.name, c.configError);
          continue;
        }
        // Always means pull first; the others run what is here (`--pull never`) and pull only if it is not.
        if (c.pullPolicy === 'Always') {
          waitForImage.push(c);
          continue;
        }
        try {
          made.push((await this.docker.run([...verb, ...c.createArgs(network)])).stdout.trim());
        } catch (err) {
          if (!(err instanceof DockerCliError)) throw err;
          if (isMissingImage(err)) {
            if (c.pullPolicy === 'Never')
              failures.set(c.name, {
                reason: 'ErrImageNeverPull',
                message: `Container image "${c.image}" is not present with pull policy of Never`,
              });
            else waitForImage.push(c);
            continue;
          }
          // `run` that could not start the command still made the container: its state says why.
          const id = await containerIdByName(this.docker, containerName(identity, c.role, c.name));
          if (id) made.push(id);
          else failures.set(c.name, { reason: 'CreateContainerError', message: err.reason });
          this.log.warn('container could not be run', {
            pod: identity.name,
            container: c.name,
            error: err.reason,
          });
        }
      }
      if (failures.size > 0) this.failures.set(identity.uid, failures);
      if (waitForImage.length > 0) {
        // A pod whose only container waits needs an anchor in Docker meanwhile: a sandbox.
        if (network.kind === 'own') await makeSandbox();
        const joined = network;
        await this.pending.add(
          identity.uid,
          waitForImage.map((c) => ({
            name: c.name,
            image: c.image,
            argv: [...verb, ...c.createArgs(joined)],
          })),
        );
      }
      return made;
    } catch (err) {
      // Never leave half a pod behind: undo what was made, then report.
      await this.removeContainers(made).catch(() => {});
      await this.removePodStorage(pod).catch(() => {});
      if (err instanceof PluginError) throw err;
      throw new PluginError(
        500,
        `could not create pod ${identity.namespace}/${identity.name}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** The pod's files on disk and its Docker volumes (Memory emptyDirs). */
  private async removePodStorage(pod: Pod): Promise<void> {
    await removePodVolumes(this.config.stateDir, pod.metadata.uid);
    const volumes = podDockerVolumes(pod);
    if (volumes.length > 0) await removeVolumes(this.docker, volumes).catch(() => {});
  }

  /** Starts what the pod needs next; re-runs when Docker changed meanwhile. One run per pod at a time. */
  private reconcile(uid: string): Promise<void> {
    const running = this.reconciling.get(uid);
    if (running) {
      this.reconcileAgain.add(uid);
      return running;
    }
    const run = (async () => {
      do {
        this.reconcileAgain.delete(uid);
        await this.reconcileOnce(uid).catch((err: Error) =>
          this.log.warn('could not start pod containers', { podUid: uid, error: err.message }),
        );
      } while (this.reconcileAgain.has(uid));
    })().finally(() => this.reconciling.delete(uid));
    this.reconciling.set(uid, run);
    return run;
  }

  private async reconcileOnce(uid: string): Promise<void> {
    if (this.deleting.has(uid) || this.creating.has(uid)) return;
    const containers = groupContainers(this.view.containersOfPod(uid));
    if (!containers.anchor) return;
    const step = nextStep(podShapeFromLabels(uid, containers), containers);
    if (step.kind !== 'start') return;
    try {
      await startContainers(this.docker, step.ids);
    } catch (err) {
      // A container that cannot run (command not found...) ends exited with Docker's reason,
      // which the status reports; the others named in the same call were still started.
      this.log.warn('container start failed', {
        podUid: uid,
        error: err instanceof DockerCliError ? err.reason : String(err),
      });
    }
    await this.view.refresh(step.ids);
  }

  async delete(pod: Pod): Promise<void> {
    const { uid } = podIdentity(pod);
    await this.locks.run(uid, async () => {
      this.deleting.add(uid);
      this.pending.cancel(uid);
      try {
        await this.arriving.get(uid);
        await this.view.ensureFresh();
        const containers = this.view.containersOfPod(uid);
        const grace =
          pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
        // App containers get their grace period; the sandbox only holds the network.
        const sandbox = groupContainers(containers).sandbox;
        const apps = containers.filter((c) => c !== sandbox);
        // preStop hooks run first and their time counts against the grace period (kubelet semantics).
        const stopGrace = await this.probes.beforeStop(apps, grace);
        await this.stopContainers(
          apps.map((c) => c.Id),
          stopGrace,
        );
        await this.removeContainers(containers.map((c) => c.Id));
        await this.removePodStorage(pod);
        this.failures.delete(uid);
        this.view.forget(containers.map((c) => c.Id));
      } finally {
        this.deleting.delete(uid);
      }
    });
  }

  /** SIGTERM, then SIGKILL after the grace period, for the containers that run. */
  private async stopContainers(ids: string[], graceSeconds: number): Promise<void> {
    const running = ids.filter((id) => this.view.isRunning(id));
    if (graceSeconds > 0 && running.length > 0) {
      await stopContainers(this.docker, running, graceSeconds).catch(() => {});
    }
  }

  /** Removes containers (killing what still runs) in one call. */
  private async removeContainers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.view.expectGone(ids);
    try {
      await removeContainers(this.docker, ids);
    } catch (err) {
      // Already gone is what we wanted.
      if (
        !(err instanceof DockerCliError) ||
        !/No such container/i.test(err.stderr) ||
        /Error response(?!.*No such container)/.test(err.stderr)
      ) {
        // Some are still there: let the view read them again.
        this.view.unexpectGone(ids);
        void this.view.refresh(ids);
        throw new PluginError(
          500,
          `could not remove containers: ${err instanceof DockerCliError ? err.reason : String(err)}`,
          { cause: err },
        );
      }
    }
  }

  async status(pods: Pod[]): Promise<PodStatus[]> {
    // Steady path: answered from memory. Without the events stream, one batched read first.
    await this.view.ensureFresh();
    const out: PodStatus[] = [];
    for (const pod of pods) {
      const uid = pod.metadata.uid;
      const containers = groupContainers(this.view.containersOfPod(uid));
      const notes: PodNotes = {
        creating: this.creating.has(uid),
        waiting: (name) => this.failures.get(uid)?.get(name) ?? this.pending.waiting(uid, name),
        readiness: (id) => this.probes.ready(id),
        started: (id) => this.probes.started(id),
      };
      const known = containers.anchor !== undefined;
      // A pod with a JobID was created by a plugin: if Docker has nothing left, say so.
      const waits = this.failures.has(uid) || this.pending.has(uid);
      if (!known && !notes.creating && !waits && !pod.metadata.annotations?.JobID) continue;
      out.push(podStatus(pod, containers, notes));
    }
    return out;
  }

  async logs(request: LogStruct, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    await this.arriving.get(request.PodUID);
    await this.view.ensureFresh();
    const containers = groupContainers(this.view.containersOfPod(request.PodUID));
    if (!containers.anchor) {
      throw new PluginError(
        404,
        `pod ${request.Namespace}/${request.PodName} (uid ${request.PodUID}) is not known to this plugin`,
      );
    }
    const c = containers.main.get(request.ContainerName) ?? containers.init.get(request.ContainerName);
    if (!c) {
      const names = [...containers.init.keys(), ...containers.main.keys()].join(', ');
      throw new PluginError(
        404,
        `container ${request.ContainerName} is not in pod ${request.Namespace}/${request.PodName} (containers: ${names || 'none'})`,
      );
    }
    const opts = request.Opts ?? {};
    if (opts.Previous && c.RestartCount === 0) {
      throw new PluginError(
        400,
        `previous terminated container "${request.ContainerName}" in pod "${request.PodName}" not found`,
      );
    }
    const args = dockerLogsArgs({ opts, containerId: c.Id, currentRunSince: currentRunSince(c) });
    return streamLogs(this.docker, args, opts.Bytes ?? 0, signal);
  }

  async ping(): Promise<PingResponse> {
    const info = await this.dockerInfo();
    return {
      status: 'ok',
      resources: {
        cpu: String(info.NCPU),
        memory: `${Math.floor(info.MemTotal / 1024)}Ki`,
        pods: String(this.config.podCapacity),
      },
    };
  }

  async health(): Promise<Health> {
    const view = this.view.health();
    const checks: Record<string, string> = {};
    let status: Health['status'] = 'ok';
    try {
      const info = await this.dockerInfo();
      checks.docker = `ok (engine ${info.ServerVersion})`;
    } catch (err) {
      checks.docker = `unavailable: ${(err as Error).message}`;
      status = 'unavailable';
    }
    if (view.eventsConnected) checks.events = 'ok';
    else {
      checks.events = `disconnected, answering from batched lookups: ${view.lastError ?? 'starting'}`;
      if (status === 'ok') status = 'degraded';
    }
    if (view.lastSyncAt) checks.lastSync = view.lastSyncAt.toISOString();
    return { status, checks };
  }

  /** `docker info`, cached: the ping comes every few seconds and the numbers rarely change. */
  private dockerInfo(): Promise<EngineInfo> {
    const now = Date.now();
    if (!this.info || now - this.info.at > INFO_TTL_MS) {
      const value = engineInfo(this.docker);
      this.info = { at: now, value };
      value.catch(() => {
        if (this.info?.value === value) this.info = undefined;
      });
    }
    return this.info.value;
  }
}

/** Docker refused because the image is not here (with `--pull never`). */
function isMissingImage(err: DockerCliError): boolean {
  return /No such image|Unable to find image/i.test(err.stderr);
}
