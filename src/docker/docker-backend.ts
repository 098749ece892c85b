/**
 * The Docker backend: a pod is a sandbox container holding its network plus one container per
 * spec container, all labelled, so Docker itself is the record of every pod. Reads go through
 * the PodView; creating (pod-create.ts), removing (pod-remove.ts) and starting in order
 * (init-sequencer.ts) each own their state. This class wires them and answers the Backend methods.
 */

import type { Backend } from '../backend/backend.ts';
import type { Config } from '../config/load-config.ts';
import type {
  CreateStruct,
  Health,
  LogStruct,
  PingResponse,
  Pod,
  PodStatus,
  RetrievedPodData,
} from '../contract/api-types.ts';
import { pingResponse } from '../contract/ping-response.ts';
import type { Logger } from '../log.ts';
import { GPU_RESOURCE } from '../pod/gpu-request.ts';
import { offered } from '../pod/node-capacity.ts';
import { decidePod } from '../pod/pod-decision.ts';
import { PodCgroups } from './cgroups/pod-cgroups.ts';
import { podUsage, type UsageSample } from './cgroups/pod-usage.ts';
import { ContainerProbes } from './containers/container-probes.ts';
import { InitSequencer } from './containers/init-sequencer.ts';
import { podLogs } from './containers/pod-logs.ts';
import type { DockerCli } from './engine/docker-cli.ts';
import { duringOutage, logOutages } from './engine/docker-outage.ts';
import { cliEngine, type Engine } from './engine/engine.ts';
import type { EngineKind } from './engine/engine-kind.ts';
import { HostInfo } from './engine/host-info.ts';
import { unprivilegedPortStart } from './engine/rootless-engine.ts';
import { checkStateDirVisible } from './engine/state-dir-probe.ts';
import { rootlessLimits } from './engine-limits.ts';
import { GpuAllocator } from './gpu/gpu-allocator.ts';
import { gpusHeld } from './gpu/gpu-holders.ts';
import { discoverGpus } from './gpu/gpu-inventory.ts';
import { checkGpuModeFits } from './gpu/gpu-mode-fit.ts';
import { runContainerCommand } from './lifecycle/container-command.ts';
import { removeUnfinishedPods } from './lifecycle/crash-recovery.ts';
import { ImagePulls } from './lifecycle/image-pulls.ts';
import { KeyedLock } from './lifecycle/keyed-lock.ts';
import { BUILTIN_PAUSE_IMAGE, ensurePauseImage } from './lifecycle/pause-image.ts';
import { PendingContainers } from './lifecycle/pending-containers.ts';
import { PodCreation } from './lifecycle/pod-create.ts';
import { PodRecords } from './lifecycle/pod-record.ts';
import { PodRemoval } from './lifecycle/pod-remove.ts';
import { PodRevival } from './lifecycle/pod-revival.ts';
import { preparePod } from './lifecycle/prepare-pod.ts';
import { podIdentity, podJobId } from './naming.ts';
import { HelperPrograms } from './network/helper-programs.ts';
import { MeshGate } from './network/mesh-gate.ts';
import { applyTunnelStatus, helperByLogName } from './network/network-helper.ts';
import { PodNetworks } from './network/pod-networks.ts';
import { PodAnswers, statusPart } from './view/pod-answers.ts';
import { PodView } from './view/pod-view.ts';
import { RestartCounts } from './view/restart-counts.ts';
import { PinGate } from './volumes/pin-gate.ts';

export interface DockerBackendOptions {
  config: Config;
  docker: DockerCli;
  /** The engine behind the CLI (engine/engine-kind.ts); Docker when not given. */
  engineKind?: EngineKind;
  log: Logger;
  /** The cgroup v2 tree a rootless engine's user's caps are read from (tests give a made-up one). */
  cgroupRoot?: string;
}

export class DockerBackend implements Backend {
  readonly view: PodView;
  private readonly config: Config;
  private readonly docker: DockerCli;
  private readonly pauseImage: string;
  /** Create and delete of one pod never interleave. */
  private readonly locks = new KeyedLock();
  private readonly host: HostInfo;
  private readonly pending: PendingContainers;
  private readonly probes: ContainerProbes;
  private readonly sequencer: InitSequencer;
  private readonly creation: PodCreation;
  private readonly removal: PodRemoval;
  private readonly records: PodRecords;
  private readonly restarts: RestartCounts;
  private readonly revival: PodRevival;
  private readonly log: Logger;
  private readonly gpus: GpuAllocator;
  private readonly networks: PodNetworks;
  private readonly meshGate: MeshGate;
  /** The pods' own cgroups; on once start() has seen the engine's cgroups are this host's. */
  readonly cgroups: PodCgroups;
  private readonly pins: PinGate;
  private readonly engine: Engine;
  private readonly helperPrograms: HelperPrograms;
  private readonly answers: PodAnswers;

  constructor(options: DockerBackendOptions) {
    const { config, docker, log } = options;
    this.config = config;
    this.docker = docker;
    // The verbs lifecycle/ and containers/ depend on, as one interface (unit tests play a fake).
    const engine = cliEngine(docker, options.engineKind?.traits);
    this.engine = engine;
    this.log = log;
    this.pauseImage = config.pauseImage || BUILTIN_PAUSE_IMAGE;
    const records = new PodRecords(config.stateDir, config.instance);
    this.records = records;
    this.host = new HostInfo(docker, options.cgroupRoot);
    const cgroups = new PodCgroups(config.instance, log.child({ component: 'cgroups' }));
    this.cgroups = cgroups;
    logOutages(docker, log);
    this.networks = new PodNetworks(docker, config.podNetworks);
    this.helperPrograms = new HelperPrograms(
      docker,
      config.networkHelperImage,
      log.child({ component: 'mesh' }),
    );
    const meshGate = new MeshGate({
      docker,
      stateDir: config.stateDir,
      timeoutSeconds: config.networkHelperTimeoutSeconds,
      log: log.child({ component: 'mesh' }),
      recheck: (uid) => void this.sequencer.advance(uid),
      proxyEnv: config.helperProxyEnv,
      updatesRestartPolicy: engine.traits.updatesRestartPolicy,
    });
    this.meshGate = meshGate;
    const restarts = new RestartCounts(config.stateDir);
    this.restarts = restarts;
    const view = new PodView({
      docker,
      instance: config.instance,
      resyncMs: config.resyncSeconds * 1000,
      log: log.child({ component: 'pod-view' }),
      adjust: (c) => restarts.adjust(c),
      pastEventsLeadMs: engine.traits.answersPastEventsAtOnce ? 0 : 1000,
      stateDir: config.stateDir,
      // The daemon may have restarted meanwhile: bring back what it left down.
      reconnected: () => void this.revival.reviveAll(),
    });
    this.view = view;
    const busy = (uid: string) => this.removal.isDeleting(uid) || this.creation.isCreating(uid);
    const pins = new PinGate({
      stateDir: config.stateDir,
      log,
      containersOf: (uid) => view.containersOfPod(uid),
      seenByDocker: (dir) => checkStateDirVisible(docker, dir, this.pauseImage),
    });
    this.pins = pins;
    const beforeStart = (uid: string, ids: readonly string[]) => pins.beforeStart(uid, ids);
    this.revival = new PodRevival({ docker, view, log, busy, beforeStart });
    const sequencer = new InitSequencer({
      docker,
      view,
      log,
      busy,
      mayStart: (uid, containers) => meshGate.mayStart(uid, containers),
      beforeStart,
      keepsStartErrors: engine.traits.keepsStartErrors,
    });
    this.sequencer = sequencer;
    this.pending = new PendingContainers({
      stateDir: config.stateDir,
      pulls: new ImagePulls({
        docker,
        log: log.child({ component: 'image-pulls' }),
        initialBackoffMs: config.imagePullBackoffSeconds * 1000,
      }),
      log,
      make: (_uid, c) => runContainerCommand(engine, c, view.startFailures),
      made: async (uid, ids) => {
        await view.refresh(ids);
        void sequencer.advance(uid);
      },
    });
    // Who holds which GPU is read from the view's labels; a pod still waiting for containers holds on.
    this.gpus = new GpuAllocator({
      held: () =>
        gpusHeld(
          view.podUids().map((uid) => [uid, view.containersOfPod(uid)]),
          (uid) => this.pending.has(uid) || this.creation.hasFailures(uid),
        ),
    });
    this.probes = new ContainerProbes({ engine, view, log: log.child({ component: 'probes' }) });
    this.creation = new PodCreation({
      config,
      engine,
      view,
      log,
      pending: this.pending,
      sequencer,
      records,
      gpus: this.gpus,
      pauseImage: this.pauseImage,
      networks: this.networks,
      cgroups,
    });
    this.answers = new PodAnswers({
      view,
      creating: (uid) => this.creation.isCreating(uid),
      waiting: (uid, name) =>
        this.creation.failure(uid, name) ?? this.pending.waiting(uid, name) ?? pins.refusal(uid, name),
      waits: (uid) => this.creation.hasFailures(uid) || this.pending.has(uid),
      ready: (id) => this.probes.ready(id),
      started: (id) => this.probes.started(id),
      network: (status, containers) => {
        meshGate.applyToStatus(status, containers);
        applyTunnelStatus(status, containers);
      },
      networkState: (uid) => meshGate.statusState(uid),
      // Where the pods run (interLink PR #550 reads it): the cached `docker info`, left out if unknown.
      nodeName: async () => (await this.host.engine().catch(() => undefined))?.Name || undefined,
    });
    this.removal = new PodRemoval({
      engine,
      view,
      stateDir: config.stateDir,
      pending: this.pending,
      probes: this.probes,
      records,
      cgroups,
      created: {
        arrival: (uid) => this.creation.arrival(uid),
        forget: (uid) => {
          this.creation.forget(uid);
          meshGate.forget(uid);
          pins.forget(uid);
        },
      },
    });
  }

  /**
   * Builds the sandbox image if needed, fills the view, removes pods a crash left half-made or
   * half-deleted, and resumes any pod mid-sequence.
   */
  async start(): Promise<void> {
    await ensurePauseImage(this.docker, this.pauseImage);
    await this.pins.detect();
    const devices = await discoverGpus({ configured: this.config.gpuDevices, log: this.log });
    checkGpuModeFits(this.config.gpuMode, devices.length, this.engine.traits);
    this.gpus.stock(devices.map((d) => d.id));
    await this.networks.load();
    const info = await this.host.engine({ cached: false });
    await this.cgroups.detect(info);
    const limits = rootlessLimits(await this.host.rootlessEngine(), info, await unprivilegedPortStart());
    if (limits.portsBoundBy)
      this.log.info('the engine is rootless: pods asking what it cannot apply are refused at /create', {
        resourceLimits: limits.noResourceLimits ?? 'applied',
        lowestHostPort: limits.lowestHostPort,
      });
    await this.restarts.load();
    await this.view.start();
    await removeUnfinishedPods({
      engine: this.engine,
      view: this.view,
      records: this.records,
      stateDir: this.config.stateDir,
      instance: this.config.instance,
      log: this.log,
    });
    await this.pending.resume(this.view.podUids());
    // What a crash left: cgroups of pods that are gone (each pod's own goes with its delete).
    await this.cgroups.sweep(this.view.podUids());
    const exists = (uid: string) => this.view.hasPod(uid) || this.creation.isCreating(uid);
    this.cgroups.retryLeftovers({
      exclusive: (uid, fn) => this.locks.run(uid, fn),
      exists,
      existing: () => this.view.podUids(),
    });
    this.view.onChange((uid) => this.sequencer.advance(uid));
    for (const uid of this.view.podUids()) this.sequencer.advance(uid);
    // Docker may have restarted while the plugin was down, and again while it runs.
    await this.revival.reviveAll();
    this.docker.onDaemonChange((answering) => {
      if (answering) void this.revival.reviveAll();
    });
    this.probes.start();
  }

  async close(): Promise<void> {
    this.probes.close();
    this.meshGate.close();
    await this.view.close();
    await this.sequencer.settled();
    await this.cgroups.close();
  }

  /**
   * The cached `docker info` only while the events stream is up: when Docker stops, the stream
   * breaks, and from then on only asking says whether it answers.
   */
  private engineInfo() {
    return this.host.engine({ cached: this.view.live });
  }

  create(data: RetrievedPodData): Promise<CreateStruct> {
    return duringOutage(async () => {
      // Everything that can be refused is refused here, before anything exists: the pod is
      // decided (Kubernetes' rules), then translated (Docker's arguments), then made.
      const facts = await this.host.factsFor(data.pod, { cached: this.view.live });
      const decision = decidePod(data, this.config, { ...facts, subPathPins: this.pins.available });
      await this.helperPrograms.check(decision.networking);
      const prepared = preparePod(decision, this.config, { cliEnvNames: this.docker.environmentNames() });
      const { uid } = prepared.identity;
      await this.locks.run(uid, () => this.creation.create(prepared));
      return { PodUID: uid, PodJID: podJobId(prepared.identity) };
    });
  }

  async delete(pod: Pod, whileWaiting?: <R>(wait: () => Promise<R>) => Promise<R>): Promise<void> {
    const { uid } = podIdentity(pod);
    await duringOutage(() => this.locks.run(uid, () => this.removal.remove(pod, whileWaiting)));
    this.restarts.forget(uid);
    this.answers.forget(uid);
  }

  /** Every pod's and container's usage, from their cgroups (none where pods have no cgroup). */
  usage(): Promise<UsageSample[]> {
    const view = this.view;
    return podUsage(
      this.cgroups.current,
      view.podUids().map((uid) => [uid, view.containersOfPod(uid)] as const),
      (id) => view.oomKills(id),
    );
  }

  status(pods: Pod[]): Promise<PodStatus[]> {
    return duringOutage(() => this.answers.statuses(pods));
  }

  /** The same answer as JSON text, from each pod's kept text (view/status-texts.ts). */
  statusText(pods: Pod[]): Promise<string> {
    return duringOutage(() => this.answers.texts(pods));
  }

  /** The part of a pod its status reads (view/pod-answers.ts). */
  readonly statusPart = statusPart;

  logs(request: LogStruct, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const options = {
      docker: this.docker,
      view: this.view,
      arrival: (uid: string) => this.creation.arrival(uid),
      helper: helperByLogName,
    };
    return duringOutage(() => podLogs(options, request, signal));
  }

  /** GPUs held by pods and free, for the metrics; undefined on a host with none to hand out. */
  gpuUsage(): { assigned: number; free: number } | undefined {
    if (this.gpus.total === 0) return undefined;
    const free = this.gpus.free().length;
    return { assigned: this.gpus.total - free, free };
  }

  /** While Docker does not answer: 503, so the node turns NotReady, which is the truth (docs/operations.md). */
  async ping(): Promise<PingResponse> {
    const size = await duringOutage(() => this.host.nodeSize({ cached: this.view.live }));
    return pingResponse({
      // What the operator lets the node offer of the host's (or of a rootless user's caps): never 0,
      // never more than it has (#558).
      cpus: offered(this.config.nodeCpu, size.cpu, 'cpu'),
      memoryBytes: offered(this.config.nodeMemory, size.memory, 'memory'),
      // Never more than the pod networks hold (a bridge takes about 1000).
      pods: Math.min(this.config.podCapacity, this.networks.capacity()),
      // The scheduler subtracts requests itself: the total, not what is free. A string, as Go reads it.
      accelerators: [{ resourceType: GPU_RESOURCE, available: String(this.gpus.total) }],
      taints: this.config.taints && [...this.config.taints],
    });
  }

  async health(): Promise<Health> {
    const view = this.view.health();
    const checks: Record<string, string> = {};
    let status: Health['status'] = 'ok';
    try {
      const info = await this.engineInfo();
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
}
