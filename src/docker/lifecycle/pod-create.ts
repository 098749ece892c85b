/**
 * Creating a pod from its prepared form, and undoing it when that fails half-way. Owns what is
 * known of a pod only while it is being made: that its create is under way, the promise of the
 * view having read its containers, and the containers that could not be made (e.g. a config
 * error or an image that must not be pulled).
 */

import type { Config } from '../../config/load-config.ts';
import { crashPoint } from '../../crash-points.ts';
import { PluginError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { PodLimits } from '../cgroups/pod-cgroups.ts';
import type { InitSequencer } from '../containers/init-sequencer.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import type { Engine } from '../engine/engine.ts';
import { settleAtMost } from '../engine/settle-at-most.ts';
import { userReason } from '../engine/user-words.ts';
import type { GpuAllocator } from '../gpu/gpu-allocator.ts';
import { gpuLabelArgs } from '../gpu/gpu-args.ts';
import { containerName } from '../naming.ts';
import {
  helperKindLabelArgs,
  helperName,
  helperRunArgs,
  networkDir,
  noteHelperFailure,
  resolvConfMountArgs,
  writeHelperFiles,
} from '../network/network-helper.ts';
import type { PodNetworks } from '../network/pod-networks.ts';
import type { PodNetwork } from '../translate/pod-to-docker-args.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { memoryVolumeCreateArgs } from '../volumes/memory-volumes.ts';
import { makeTerminationFiles } from '../volumes/termination-files.ts';
import { writePodVolumes } from '../volumes/volume-files.ts';
import { runContainerCommand } from './container-command.ts';
import type { PendingContainers } from './pending-containers.ts';
import type { PodRecords } from './pod-record.ts';
import { removePodContainers, removePodStorage } from './pod-remove.ts';
import type { PreparedContainer, PreparedPod } from './prepare-pod.ts';

export interface PodCreationOptions {
  config: Config;
  engine: Engine;
  /** What creating asks of the pod view (test/helpers/fake-engine.ts plays it too). */
  view: Pick<
    PodView,
    | 'ensureFresh'
    | 'refresh'
    | 'holds'
    | 'containersOfPod'
    | 'podUids'
    | 'forget'
    | 'expectGone'
    | 'unexpectGone'
    | 'startFailures'
  >;
  log: Logger;
  pending: Pick<PendingContainers, 'add'>;
  sequencer: Pick<InitSequencer, 'advance'>;
  /** How far each pod's create got, on disk: a retried create finishes what a crash cut off. */
  records: PodRecords;
  gpus: GpuAllocator;
  /** The sandbox image. */
  pauseImage: string;
  /** The Docker networks pods join. */
  networks: Pick<PodNetworks, 'place' | 'placed' | 'capacity'>;
  /** Every container of a pod goes into the pod's cgroup (`--cgroup-parent`). */
  cgroups: {
    parentArgs(uid: string): string[];
    limitPod(uid: string, limits: PodLimits): Promise<void>;
  };
}

/** The containers made for a pod, and those of them already started (`docker run -d`). */
interface Made {
  ids: string[];
  started: string[];
}

export interface Failure {
  reason: string;
  message: string;
}

export class PodCreation {
  /** Pods whose create is under way: their missing containers are "creating", not "vanished". */
  private readonly creating = new Set<string>();
  /** Pods just created, until the view has read their containers: logs and delete wait for it. */
  private readonly arriving = new Map<string, Promise<void>>();
  /** Containers that could not be made, by pod UID then container name. */
  private readonly failures = new Map<string, Map<string, Failure>>();

  constructor(private readonly options: PodCreationOptions) {}

  isCreating(uid: string): boolean {
    return this.creating.has(uid);
  }

  /** Resolves once the view has read the containers of a pod just created (undefined otherwise). */
  arrival(uid: string): Promise<void> | undefined {
    return this.arriving.get(uid);
  }

  /** Why a container of the pod could not be made, if it could not. */
  failure(uid: string, name: string): Failure | undefined {
    return this.failures.get(uid)?.get(name);
  }

  hasFailures(uid: string): boolean {
    return this.failures.has(uid);
  }

  /** Drops what is kept of a deleted pod. */
  forget(uid: string): void {
    this.failures.delete(uid);
  }

  /**
   * Makes the pod, unless it exists whole (or is on its way): a retried create changes nothing.
   * A pod whose create was cut off (its record still says so) is made again from this request.
   * Callers hold the pod's lock.
   */
  async create(prepared: PreparedPod): Promise<void> {
    const { view, sequencer, gpus, log, networks } = this.options;
    const { uid, namespace, name } = prepared.identity;
    const { networking } = prepared.decision;
    await view.ensureFresh();
    if (this.creating.has(uid)) return;
    if (!(await this.clearUnfinished(uid))) return;
    // Admission, as kubelet's: the pod gets its GPUs now or is not created at all.
    const devices = gpus.admit(uid, prepared.decision.gpus.need, `${namespace}/${name}`);
    if (devices.length > 0) log.info('GPUs given to pod', { pod: name, podUid: uid, gpus: devices });
    this.creating.add(uid);
    // Its containers are read once they are made, not at each event of the making.
    view.holds.hold(uid);
    let made: Made;
    try {
      made = await this.make(prepared, devices);
    } catch (err) {
      await view.holds.release(uid, []);
      this.creating.delete(uid);
      gpus.settle(uid);
      networks.placed(uid);
      throw err;
    }
    crashPoint('create:recorded');
    const seen = view.holds.release(uid, made.ids, made.started).finally(() => {
      this.creating.delete(uid);
      this.arriving.delete(uid);
      // The containers' labels hold the devices, and count the pod on its network, from now on.
      gpus.settle(uid);
      networks.placed(uid);
    });
    this.arriving.set(uid, seen);
    // Containers that were only created need starting in order, which needs the view; the
    // others are running already, and the view learns of them without holding up the answer.
    if (prepared.containers.some((c) => c.role === 'init') || networking.kind === 'mesh') {
      await seen;
      await sequencer.advance(uid);
    }
  }

  /**
   * Whether the pod is to be made: true when Docker has nothing of it, or only what a create or
   * delete that did not finish left (then removed here); false when it exists whole.
   */
  private async clearUnfinished(uid: string): Promise<boolean> {
    const { engine, view, log, records } = this.options;
    const containers = view.containersOfPod(uid);
    const ids = containers.map((c) => c.Id);
    if (ids.length === 0) return true;
    const phase = await records.read(uid);
    if (phase !== 'creating' && phase !== 'deleting') return false;
    log.info('making again a pod whose create did not finish', { podUid: uid, containers: ids.length });
    await removePodContainers(engine, view, ids, groupContainers(containers).anchor?.Id);
    view.forget(ids);
    return true;
  }

  /**
   * Makes the pod's containers. A pod of one container and no init containers is that one
   * container (`docker run -d`, as cheap as it gets); any other pod gets a sandbox holding the
   * network, then its containers: run at once, or only created when init containers go first.
   */
  private async make(prepared: PreparedPod, gpus: readonly string[]): Promise<Made> {
    const { config, engine, view, log, pending, pauseImage, records } = this.options;
    const { identity, containers } = prepared;
    const { pod, networking, volumes } = prepared.decision;
    if (gpus.length < prepared.decision.gpus.need)
      throw new Error(`the pod needs ${prepared.decision.gpus.need} GPUs, given ${gpus.length}`);
    const inPodCgroup = this.options.cgroups.parentArgs(identity.uid);
    const createArgs = (c: PreparedContainer, network: PodNetwork) =>
      c.createArgs(
        { ...network, extraArgs: [...(network.extraArgs ?? []), ...inPodCgroup] },
        gpus.slice(c.gpus.from, c.gpus.from + c.gpus.count),
      );
    // Behind a mesh, containers wait for it: created now, started once it is up (mesh-gate.ts).
    const verb =
      containers.some((c) => c.role === 'init') || networking.kind === 'mesh' ? ['create'] : ['run', '-d'];
    const made: string[] = [];
    let sandboxMade: string | undefined;
    const started: string[] = [];
    const failures = new Map<string, Failure>();
    const waitForImage: PreparedContainer[] = [];
    const joined = pod.spec?.hostNetwork ? [] : this.placeOnNetwork(identity.uid);
    let network: PodNetwork = { kind: 'own', extraArgs: joined };
    const makeSandbox = async () => {
      const sandboxArgs = prepared.sandboxArgs(pauseImage, [
        ...joined,
        ...(networking.kind === 'none' ? [] : helperKindLabelArgs(networking.kind)),
        ...prepared.sandboxMounts,
        // The sandbox records every device of the pod, for as long as the pod holds them.
        ...gpuLabelArgs(gpus),
        ...inPodCgroup,
      ]);
      const sandbox = await engine.makeContainer(sandboxArgs);
      made.push(sandbox);
      sandboxMade = sandbox;
      started.push(sandbox);
      crashPoint('create:sandbox');
      network = { kind: 'sandbox', sandbox };
      return sandbox;
    };
    try {
      // Before anything exists: a crash from here on leaves a record saying the pod is not whole.
      await records.write(identity.uid, 'creating');
      crashPoint('create:record');
      await writePodVolumes(volumes);
      // Docker binds only a file that exists, and the pod's directory exists from here.
      await makeTerminationFiles(prepared.containers.flatMap((c) => c.terminationFile ?? []));
      if (!engine.traits.mountMakesVolumeWithOptions) {
        for (const args of memoryVolumeCreateArgs(volumes)) {
          // A retried create finds the volume a cut-off one made: Podman says so, Docker does not.
          await engine.createVolume(args).catch((err: unknown) => {
            if (!(err instanceof DockerCliError && /already exists/i.test(err.stderr))) throw err;
          });
        }
      }
      const { memoryLimitBytes, cpuLimit } = prepared.decision;
      await this.options.cgroups.limitPod(identity.uid, {
        memoryBytes: memoryLimitBytes,
        cpu: cpuLimit,
        pids: config.podPidsLimit,
      });
      crashPoint('create:volumes');
      const needsSandbox = containers.length > 1 || prepared.sandboxMounts.length > 0;
      const sandbox = needsSandbox || networking.kind !== 'none' ? await makeSandbox() : undefined;
      if (networking.kind !== 'none' && sandbox) {
        const dir = networkDir(config.stateDir, identity.uid);
        await writeHelperFiles(dir, networking);
        const helperArgs = helperRunArgs({
          pod,
          instance: config.instance,
          image: config.networkHelperImage,
          sandbox,
          kind: networking.kind,
          dir,
          binariesDir: config.meshBinariesDir,
          proxyEnvNames: Object.keys(config.helperProxyEnv),
          cliTakesDevices: engine.traits.cliTakesDevices,
        });
        try {
          // `run -d`, then the pod's cgroup, then the helper's own args.
          const inCgroup = [...helperArgs.slice(0, 2), ...inPodCgroup, ...helperArgs.slice(2)];
          const helper = await engine.makeContainer(inCgroup, { ...config.helperProxyEnv });
          made.push(helper);
          started.push(helper);
        } catch (err) {
          // An image that cannot be pulled fails the mesh (or leaves the tunnel down), not the create.
          if (!(err instanceof DockerCliError)) throw err;
          // Made but not started (e.g. no /dev/net/tun): its state says why, and the mesh gate reports it.
          const existing = await engine.containerIdByName(helperName(identity, networking.kind));
          if (existing) made.push(existing);
          log.warn('network helper could not be made', { pod: identity.name, error: err.reason });
          await noteHelperFailure(
            dir,
            `interLink's ${networking.kind === 'mesh' ? 'mesh network' : `${networking.kind} tunnel`} failed: its helper could not be made (image ${config.networkHelperImage}): ${userReason(err, config.stateDir)}`,
          );
        }
        if (networking.kind === 'mesh')
          network = { kind: 'sandbox', sandbox, extraArgs: resolvConfMountArgs(dir) };
      }
      // Eight containers at once: each `docker create` (or `run -d`) waits on the daemon, not on
      // the others; the pod is answered once all are made, and an error once none is under way.
      const waiting = new Set<PreparedContainer>();
      let containersMade = 0;
      const makeOne = async (c: PreparedContainer): Promise<void> => {
        if (c.configError) {
          failures.set(c.name, c.configError);
          return;
        }
        // Always means pull first; the others run what is here (`--pull never`) and pull only if it is not.
        if (c.pullPolicy === 'Always') {
          waiting.add(c);
          return;
        }
        try {
          const command = { argv: [...verb, ...createArgs(c, network)], env: c.env, labels: c.labelFile };
          const id = await runContainerCommand(engine, command, view.startFailures);
          made.push(id);
          containersMade++;
          if (verb[0] === 'run') started.push(id);
        } catch (err) {
          if (!(err instanceof DockerCliError)) throw err;
          if (isMissingImage(err)) {
            if (c.pullPolicy === 'Never')
              failures.set(c.name, {
                reason: 'ErrImageNeverPull',
                message: `Container image "${c.image}" is not present with pull policy of Never`,
              });
            else waiting.add(c);
            return;
          }
          // `run` that could not start the command still made the container: its state says why.
          const id = await engine.containerIdByName(containerName(identity, c.role, c.name));
          if (id) made.push(id);
          else
            failures.set(c.name, {
              reason: 'CreateContainerError',
              message: userReason(err, config.stateDir),
            });
          log.warn('container could not be run', {
            pod: identity.name,
            container: c.name,
            error: err.reason,
          });
        }
      };
      const outcomes = await settleAtMost(containers, makeOne);
      for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
      for (let i = 0; i < containersMade; i++) crashPoint('create:container');
      waitForImage.push(...containers.filter((c) => waiting.has(c)));
      if (failures.size > 0) this.failures.set(identity.uid, failures);
      if (waitForImage.length > 0) {
        // A pod whose only container waits needs an anchor in Docker meanwhile: a sandbox.
        if (network.kind === 'own') await makeSandbox();
        const sandboxNetwork = network;
        await pending.add(
          identity.uid,
          waitForImage.map((c) => ({
            name: c.name,
            image: c.image,
            argv: [...verb, ...createArgs(c, sandboxNetwork)],
            env: c.env,
            labels: c.labelFile,
          })),
        );
      }
      crashPoint('create:made');
      await records.write(identity.uid, 'created');
      return { ids: made, started };
    } catch (err) {
      // Never leave half a pod behind: undo what was made, then report. When the undo fails too
      // (Docker gone), the record keeps saying "creating": a retried create or the next start-up
      // removes the rest.
      const undone = await removePodContainers(engine, view, made, sandboxMade).then(
        () => true,
        () => false,
      );
      if (undone) await removePodStorage(engine, config.stateDir, pod).catch(() => {});
      if (err instanceof PluginError) throw err;
      throw new PluginError(
        'internal',
        `could not create pod ${identity.namespace}/${identity.name}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** The args that put a new pod on its network (the least filled); refused when every one is full. */
  private placeOnNetwork(uid: string): string[] {
    const { view, networks } = this.options;
    const place = networks.place(
      uid,
      view.podUids().flatMap((u) => view.containersOfPod(u)),
    );
    if (!place)
      throw new PluginError(
        'unavailable',
        `every pod network is full (${networks.capacity()} pods); add one with PLUGIN_POD_NETWORKS`,
      );
    return place.args;
  }
}

/** Docker refused because the image is not here (with `--pull never`). */
function isMissingImage(err: DockerCliError): boolean {
  return /No such image|Unable to find image/i.test(err.stderr);
}
