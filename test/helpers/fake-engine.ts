/**
 * The Engine (src/docker/engine/engine.ts) played in memory, for unit tests of the lifecycle code:
 * containers made from their argv (name, labels, volumes) and started, stopped and removed as
 * Docker would; exec answered by the test; and `view`, the pod view's answers about them. Every
 * verb is recorded in order, so a test can say what the plugin asked of Docker.
 */
import { DockerCliError, type RunResult } from '../../src/docker/engine/docker-cli.ts';
import type { ContainerProcess } from '../../src/docker/engine/docker-verbs.ts';
import type { Engine } from '../../src/docker/engine/engine.ts';
import { ENGINE_TRAITS, type EngineTraits } from '../../src/docker/engine/engine-kind.ts';
import type { ContainerInspect } from '../../src/docker/engine/inspect-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import type { PodView } from '../../src/docker/view/pod-view.ts';
import { ReadHolds } from '../../src/docker/view/read-holds.ts';
import { StartFailures } from '../../src/docker/view/start-failures.ts';

export interface FakeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: 'created' | 'running' | 'exited';
  startedAt: string;
  exitCode: number;
  /** How many times it was started (by `run` or `start`). */
  starts: number;
  /** The container whose network it joined (`--network container:X`: X, a name or an id). */
  joined: string | undefined;
}

export type Verb = keyof Engine;

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The view's side of the fake: what the pod view would answer, from the fake's containers. */
export type FakeView = Pick<
  PodView,
  | 'onChange'
  | 'containersOfPod'
  | 'podUids'
  | 'refresh'
  | 'holds'
  | 'ensureFresh'
  | 'forget'
  | 'expectGone'
  | 'unexpectGone'
  | 'isRunning'
  | 'startFailures'
>;

export class FakeEngine implements Engine {
  /** Docker's by default; with Podman's, removing a container others joined before them is refused, as Podman does. */
  traits: EngineTraits = ENGINE_TRAITS.docker;
  readonly containers = new Map<string, FakeContainer>();
  /** Volume name → its labels. */
  readonly volumes = new Map<string, Record<string, string>>();
  readonly calls: Array<{ verb: Verb; subject: string }> = [];
  /** Every container's name by id, kept after it is removed (to read `calls`). */
  readonly names = new Map<string, string>();
  /** Asked before each verb (subject: the container's name for makeContainer, else its first id or name); what it returns is thrown. */
  failWith: (verb: Verb, subject: string) => Error | undefined = () => undefined;
  /** Answers exec: its exit code and output. */
  execAnswer: (id: string, command: readonly string[]) => { exitCode: number; output: string } = () => ({
    exitCode: 0,
    output: '',
  });
  private readonly listeners = new Set<(uid: string) => void>();
  private next = 0;
  private clock = Date.parse('2026-12-01T00:00:00Z');
  private readonly startFailures = new StartFailures();

  /** Containers as the view would show them. */
  readonly view: FakeView = {
    onChange: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
    containersOfPod: (uid) =>
      [...this.containers.values()]
        .filter((c) => c.labels[LABEL.podUid] === uid)
        .map(inspect)
        .map((c) => {
          this.startFailures.apply(c);
          return c;
        }),
    podUids: () => [...new Set([...this.containers.values()].map((c) => c.labels[LABEL.podUid] ?? ''))],
    refresh: async () => {},
    holds: new ReadHolds(async () => {}),
    ensureFresh: async () => {},
    forget: () => {},
    expectGone: () => {},
    unexpectGone: () => {},
    isRunning: (id) => this.containers.get(id)?.status === 'running',
    startFailures: this.startFailures,
  };

  /** The verbs called, in order, as `verb subject`. */
  verbs(): string[] {
    return this.calls.map((c) => `${c.verb} ${c.subject}`);
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  /** The CLI's own environment: none here. */
  environmentNames(): ReadonlySet<string> {
    return new Set();
  }

  async makeContainer(argv: readonly string[]): Promise<string> {
    const name = flagValues(argv, '--name')[0] ?? '';
    this.enter('makeContainer', name);
    if (this.byName(name)) {
      throw new DockerCliError(
        `docker ${argv[0]}`,
        125,
        `Error response from daemon: Conflict. The container name "/${name}" is already in use`,
      );
    }
    const labels = Object.fromEntries(flagValues(argv, '--label').map(splitPair));
    for (const mount of flagValues(argv, '--mount')) {
      const fields = mount.split(',');
      if (!fields.includes('type=volume')) continue;
      const source = fields.find((f) => f.startsWith('source='))?.slice('source='.length) ?? '';
      const volumeLabels = fields
        .filter((f) => f.startsWith('volume-label='))
        .map((f) => splitPair(f.slice('volume-label='.length)));
      this.volumes.set(source, Object.fromEntries(volumeLabels));
    }
    const id = (++this.next).toString(16).padStart(64, 'c');
    const container: FakeContainer = {
      id,
      name,
      labels,
      status: 'created',
      startedAt: ZERO_TIME,
      exitCode: 0,
      starts: 0,
      joined: flagValues(argv, '--network')
        .find((n) => n.startsWith('container:'))
        ?.slice('container:'.length),
    };
    this.containers.set(id, container);
    this.names.set(id, name);
    if (argv[0] === 'run') this.begin(container);
    this.changed(container);
    return id;
  }

  async containerIdByName(name: string): Promise<string | undefined> {
    this.enter('containerIdByName', name);
    return this.byName(name)?.id;
  }

  async startContainers(ids: readonly string[]): Promise<void> {
    this.enter('startContainers', ids.join(' '));
    for (const id of ids) {
      const c = this.get(id);
      this.begin(c);
      this.changed(c);
    }
  }

  async stopContainers(ids: readonly string[]): Promise<void> {
    this.enter('stopContainers', ids.join(' '));
    for (const id of ids) {
      const c = this.get(id);
      if (c.status === 'running') {
        c.status = 'exited';
        c.exitCode = 137;
        this.changed(c);
      }
    }
  }

  async removeContainers(ids: readonly string[]): Promise<void> {
    this.enter('removeContainers', ids.join(' '));
    if (this.traits.removesJoinersFirst) {
      // Podman removes each in turn and refuses one that others still join, even in the same call.
      for (const id of ids) {
        const c = this.get(id);
        const joiner = [...this.containers.values()].find((o) => o.joined === id || o.joined === c.name);
        if (joiner) {
          throw new DockerCliError(
            'docker rm',
            1,
            `Error response from daemon: container ${id} has dependent containers which must be removed before it: ${joiner.id}: container already exists`,
          );
        }
      }
    }
    for (const id of ids) {
      const c = this.get(id);
      this.containers.delete(id);
      this.changed(c);
    }
  }

  async createVolume(args: readonly string[]): Promise<void> {
    const name = args[args.length - 1] ?? '';
    this.enter('createVolume', name);
    this.volumes.set(name, Object.fromEntries(flagValues(args, '--label').map(splitPair)));
  }

  async removeVolumes(names: readonly string[]): Promise<void> {
    this.enter('removeVolumes', names.join(' '));
    for (const name of names) this.volumes.delete(name);
  }

  async listVolumes(labels: readonly string[]): Promise<string[]> {
    this.enter('listVolumes', labels.join(' '));
    const wanted = labels.map(splitPair);
    return [...this.volumes].filter(([, l]) => wanted.every(([k, v]) => l[k] === v)).map(([name]) => name);
  }

  async containerProcess(id: string): Promise<ContainerProcess> {
    this.enter('containerProcess', id);
    const c = this.get(id);
    // A pid no container of this fake owns: a kill goes through Docker (stop, then start).
    return { pid: c.status === 'running' ? 2 ** 22 + 1 : 0, startedAt: c.startedAt, stopSignal: '' };
  }

  async containerExitCode(id: string): Promise<number> {
    this.enter('containerExitCode', id);
    return this.get(id).exitCode;
  }

  async exec(id: string, command: readonly string[]): Promise<RunResult> {
    this.enter('exec', `${id} ${command.join(' ')}`);
    const c = this.get(id);
    if (c.status !== 'running') {
      throw new DockerCliError(
        'docker exec',
        1,
        `Error response from daemon: container ${id} is not running`,
      );
    }
    const { exitCode, output } = this.execAnswer(id, command);
    if (exitCode !== 0) throw new DockerCliError('docker exec', exitCode, '', output);
    return { stdout: output, stderr: '' };
  }

  private enter(verb: Verb, subject: string): void {
    this.calls.push({ verb, subject });
    const err = this.failWith(verb, subject);
    if (err) throw err;
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new DockerCliError('docker', 1, `Error response from daemon: No such container: ${id}`);
    return c;
  }

  private begin(c: FakeContainer): void {
    c.status = 'running';
    c.starts++;
    // Each run starts at a later time, as Docker's StartedAt does.
    this.clock += 1000;
    c.startedAt = new Date(this.clock).toISOString();
  }

  private changed(c: FakeContainer): void {
    const uid = c.labels[LABEL.podUid];
    if (uid) for (const listener of this.listeners) listener(uid);
  }
}

function flagValues(argv: readonly string[], flag: string): string[] {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  return flags.flatMap((a, i) => (a === flag && i + 1 < flags.length ? [flags[i + 1] as string] : []));
}

function splitPair(kv: string): [string, string] {
  const eq = kv.indexOf('=');
  return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
}

function inspect(c: FakeContainer): ContainerInspect {
  return {
    Id: c.id,
    Name: `/${c.name}`,
    Created: '2026-12-01T00:00:00Z',
    Image: 'sha256:fake',
    RestartCount: 0,
    State: {
      Status: c.status,
      Running: c.status === 'running',
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.status === 'running' ? 2 ** 22 + 1 : 0,
      ExitCode: c.exitCode,
      Error: '',
      StartedAt: c.startedAt,
      FinishedAt: c.status === 'exited' ? new Date().toISOString() : ZERO_TIME,
    },
    Config: { Image: 'fake', Labels: { ...c.labels } },
    NetworkSettings: { IPAddress: '127.0.0.1' },
  };
}
