/**
 * One pod driven through the plugin the way interLink drives it: POST /create, GET /status with the
 * pod (carrying the JobID annotation) every poll interval, GET /getLogs, POST /delete, then a check
 * that the pod is gone and that a second delete is still a 200. Every answer is held against the
 * contract and the VK's phase rules as it arrives.
 */
import type { ContainerStatus, LogOpts, Pod, PodStatus, RetrievedPodData } from '../contract/api-types.ts';
import {
  buildCreateRequest,
  buildPod,
  type ContainerInput,
  DEFAULT_IMAGE,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../interlink-payloads/index.ts';
import { clusterContainers } from '../pod/partial-offload.ts';
import { fail, Mismatches, mismatch, show, textMismatch } from './checks.ts';
import type { WireAnswer } from './plugin-wire.ts';
import type { PodScenario, ScenarioPodInput } from './pod-scenario.ts';
import { isTerminal, type PodPhase, vkPhase } from './vk-phase.ts';

/** What a scenario expects of one container once the pod is terminal. */
export interface ContainerWant {
  exitCode?: number;
  reason?: string;
}

export interface PodWant {
  phase: PodPhase;
  containers?: Record<string, ContainerWant>;
  initContainers?: Record<string, ContainerWant>;
}

/** How long a plugin may take, after answering a delete, to stop reporting the pod's containers as live. */
const GONE_GRACE_MS = 10_000;

/** Polls a pod may show a failed init container beside containers not terminated before the kit calls it stuck. */
const STALL_POLLS = 10;

export class PodUnderTest {
  /** The pod as the VK holds it. */
  readonly pod: Pod;
  /** The POST /create body. */
  readonly createBody: RetrievedPodData;
  jobId: string | undefined;
  /** The phase the VK would show, from the answers so far. */
  phase: PodPhase = 'Pending';
  /** The last status entry the plugin gave for this pod. */
  last: PodStatus | undefined;
  createAttempted = false;
  deleted = false;
  private polls = 0;
  private emptyAnswers = 0;

  constructor(
    private readonly ctx: PodScenario,
    input: ScenarioPodInput,
  ) {
    const { name, configMaps, secrets, ...options } = input;
    const mapImage = (c: ContainerInput) => ({ ...c, image: ctx.settings.image(c.image ?? DEFAULT_IMAGE) });
    this.pod = buildPod({
      ...options,
      generateName: `conf-${name}-`,
      namespace: ctx.settings.namespace,
      containers: input.containers.map(mapImage),
      ...(input.initContainers ? { initContainers: input.initContainers.map(mapImage) } : {}),
    });
    this.createBody = buildCreateRequest(this.pod, {
      ...(configMaps ? { configMaps } : {}),
      ...(secrets ? { secrets } : {}),
    });
  }

  get name(): string {
    return this.pod.metadata.name;
  }

  get uid(): string {
    return this.pod.metadata.uid;
  }

  /** POST /create with one RetrievedPodData: 200 and a CreateStruct for this pod's UID. */
  async create(): Promise<void> {
    this.ctx.setStep(`POST /create of pod ${this.name}`);
    this.createAttempted = true;
    const answer = (await this.ctx.wire.ok('POST', '/create', this.createBody, 'CreateStruct')) as {
      PodUID: string;
      PodJID: string;
    };
    if (answer.PodUID !== this.uid) {
      fail(`${mismatch('POST /create response PodUID', this.uid, answer.PodUID)} (the pod's metadata.uid)`);
    }
    // The VK keeps PodJID in the pod's JobID annotation and sends it back with every later call.
    this.jobId = answer.PodJID;
  }

  /**
   * One GET /status with this pod, as the VK asks. Returns the entry, or undefined for `[]` (no news).
   * Fails on anything interLink could not use.
   */
  async statusOnce(): Promise<PodStatus | undefined> {
    const call = 'GET /status';
    const sent = statusRequest(this.pod, this.jobId, this.phase === 'Unknown' ? 'Pending' : this.phase);
    const answer = await this.ctx.wire.send('GET', '/status', JSON.stringify(sent));
    this.polls++;
    if (answer.status !== 200) {
      const hint =
        answer.status >= 400 && answer.status < 500
          ? ' (interLink sends the pods as a JSON body on a GET: does the plugin read GET bodies?)'
          : '';
      fail(`expected ${call} with one pod to answer 200, got ${answer.status}: ${show(answer.text)}${hint}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      fail(`${call} with one pod answered 200 with a body that is not JSON: ${show(answer.text)}`);
    }
    if (!Array.isArray(body)) {
      if (body && typeof body === 'object' && 'resources' in body) {
        fail(
          `${call} with one pod in the body answered a PingResponse object instead of an array of PodStatus: ` +
            'the plugin treated it as the ping ([]), so it seems to drop GET request bodies ' +
            '(interLink sends the pods as the JSON body of a GET)',
        );
      }
      fail(`${call} with one pod answered ${show(body)} instead of an array of PodStatus`);
    }
    this.ctx.wire.contract.expectSchema('PodStatus[]', body, 'response');
    const entries = body as PodStatus[];
    if (entries.length === 0) {
      this.emptyAnswers++;
      this.ctx.observe(
        `GET /status answered [] (no entry for the pod) ${this.emptyAnswers} of ${this.polls} times`,
      );
      return undefined;
    }
    if (entries.length > 1) fail(`expected one PodStatus for the one pod asked, got ${entries.length}`);
    const entry = entries[0] as PodStatus;
    this.expectIdentity(entry);
    // The containers sent to /create: partial offload keeps the others in the cluster.
    const given = this.createBody.pod.spec;
    this.expectListed(
      'containers',
      entry.containers,
      (given?.containers ?? []).map((c) => c.name),
    );
    this.expectListed(
      'initContainers',
      entry.initContainers,
      (given?.initContainers ?? []).map((c) => c.name),
    );
    return entry;
  }

  /**
   * Polls until the VK phase is terminal or `until` (default: any terminal phase) is reached, as the VK
   * does every poll interval. The scenario's timeout bounds it.
   */
  async waitFor(until?: PodPhase): Promise<PodStatus> {
    this.ctx.setStep(`polling GET /status of pod ${this.name} for ${until ?? 'a terminal phase'}`);
    let stalledSince: number | undefined;
    for (;;) {
      const entry = await this.statusOnce();
      if (entry) {
        this.last = entry;
        this.phase = vkPhase(entry, this.phase).phase;
        this.ctx.observe(`VK phase ${this.phase}; ${describeStatus(entry)}`);
        if (isTerminal(this.phase) || this.phase === until) return entry;
        const stall = stalledAfterInitFailure(entry);
        stalledSince = stall ? (stalledSince ?? Date.now()) : undefined;
        const stallMs = STALL_POLLS * this.ctx.settings.pollIntervalMs;
        if (stall && stalledSince !== undefined && Date.now() - stalledSince > stallMs) {
          fail(
            `${stall} ${stallMs / 1000} s later: the VK counts only terminated containers, so it keeps this pod ` +
              'Pending for ever; after an init container fails, report the containers that will never start as terminated',
          );
        }
      }
      await this.ctx.sleep(this.ctx.settings.pollIntervalMs);
    }
  }

  /** Checks the last status against what the scenario expects: exit codes and reasons first, then the phase. */
  expect(want: PodWant): void {
    const status = this.last;
    if (!status) fail('no status entry was ever received for the pod');
    const found = new Mismatches();
    const check = (
      list: 'containers' | 'initContainers',
      wants: Record<string, ContainerWant> | undefined,
    ) => {
      for (const [name, w] of Object.entries(wants ?? {})) {
        const i = status[list].findIndex((c) => c.name === name);
        const state = status[list][i]?.state;
        const at = `${list}[${i}]`;
        if (w.exitCode !== undefined && state?.terminated?.exitCode !== w.exitCode) {
          const got = state?.terminated ? state.terminated.exitCode : state;
          found.add(`${mismatch(`${at}.state.terminated.exitCode`, w.exitCode, got)} (container "${name}")`);
        }
        if (w.reason !== undefined && state?.terminated?.reason !== w.reason) {
          const got = state?.terminated ? state.terminated.reason : state;
          found.add(`${mismatch(`${at}.state.terminated.reason`, w.reason, got)} (container "${name}")`);
        }
      }
    };
    check('initContainers', want.initContainers);
    check('containers', want.containers);
    found.equal('VK phase', want.phase, this.phase);
    found.throwIfAny();
  }

  /** GET /getLogs for one container, every Opts field present; expects 200 and returns the text. */
  async logs(container: string, opts: Partial<LogOpts> = {}): Promise<string> {
    const answer = await this.logsAnswer(container, opts);
    if (answer.status !== 200) {
      fail(
        `expected GET /getLogs of container "${container}" to answer 200, got ${answer.status}: ${show(answer.text)}`,
      );
    }
    return this.ctx.wire.contract.expectDocumented('GET', '/getLogs', answer) as string;
  }

  /** GET /getLogs for one container, the answer as it came (status unchecked). */
  async logsAnswer(container: string, opts: Partial<LogOpts> = {}): Promise<WireAnswer> {
    this.ctx.setStep(`GET /getLogs of container ${container}`);
    const body = logsRequest(this.pod, container, opts);
    return this.ctx.wire.send('GET', '/getLogs', JSON.stringify(body));
  }

  /** The container's logs must be exactly `want`, byte for byte. */
  async expectLogs(container: string, want: string, opts: Partial<LogOpts> = {}): Promise<void> {
    const got = await this.logs(container, opts);
    const options = Object.keys(opts).length > 0 ? ` with ${show(opts)}` : '';
    const problem = textMismatch(`logs of container "${container}"${options}`, want, got);
    if (problem) fail(problem);
  }

  /** POST /delete with the pod as stored (deletionTimestamp set): 200. */
  async delete(what = 'POST /delete'): Promise<void> {
    this.ctx.setStep(`${what} of pod ${this.name}`);
    await this.ctx.wire.ok('POST', '/delete', this.deleteBody());
    this.deleted = true;
  }

  /**
   * After a delete, GET /status for the pod must give no entry: the plugin removed everything it made
   * for the pod, and the contract leaves out pods the plugin does not have. An entry whose containers
   * are all terminated is accepted too (what a kubelet shows for a pod it is removing; harmless, since
   * the VK has dropped the pod). A container still waiting or running means the pod was not stopped:
   * interLink 0.6.2 never retries a delete, so that is a leak. The plugin gets GONE_GRACE_MS to finish.
   */
  async expectGone(): Promise<void> {
    this.ctx.setStep(`GET /status of pod ${this.name} after delete`);
    const deadline = Date.now() + GONE_GRACE_MS;
    for (;;) {
      const entry = await this.statusOnce();
      if (!entry) return this.ctx.note('after delete: GET /status gave no entry');
      const live = [
        ...entry.initContainers.map((c, i) => ({ c, at: `initContainers[${i}]` })),
        ...entry.containers.map((c, i) => ({ c, at: `containers[${i}]` })),
      ].filter(({ c }) => !c.state.terminated);
      if (live.length === 0)
        return this.ctx.note('after delete: GET /status gave an entry with only terminated containers');
      if (Date.now() > deadline) {
        const shown = live.map(({ c, at }) => `${at} ("${c.name}") ${stateName(c)}`).join(', ');
        fail(
          `after POST /delete, GET /status still reports ${shown} ${GONE_GRACE_MS / 1000} s later: ` +
            'expected no entry for the pod (or only terminated containers)',
        );
      }
      await this.ctx.sleep(this.ctx.settings.pollIntervalMs);
    }
  }

  /** For a pod the plugin must not have (never created, or refused): GET /status gives no entry. */
  async expectNoEntry(why: string): Promise<void> {
    this.ctx.setStep(`GET /status of pod ${this.name} (${why})`);
    const entry = await this.statusOnce();
    if (entry)
      fail(`expected no status entry for a pod ${why} (an empty array), got one: ${describeStatus(entry)}`);
  }

  /** The POST /delete body interLink would send for this pod now. */
  deleteBody(): Pod {
    return deleteRequest(this.pod, this.jobId !== undefined ? { jid: this.jobId } : {});
  }

  /** delete → gone → delete again (interLink may send it again, so deletes must be idempotent). */
  async teardown(): Promise<void> {
    await this.delete();
    await this.expectGone();
    await this.delete('second POST /delete');
  }

  private expectIdentity(entry: PodStatus): void {
    const found = new Mismatches();
    found.equal('status[0].name', this.name, entry.name);
    found.equal('status[0].UID', this.uid, entry.UID);
    found.equal('status[0].namespace', this.pod.metadata.namespace, entry.namespace);
    found.throwIfAny();
  }

  /** The VK counts only listed containers: every spec container must appear exactly once, nothing else. */
  private expectListed(list: string, statuses: ContainerStatus[], names: string[]): void {
    const got = statuses.map((c) => c.name);
    const missing = names.filter((n) => !got.includes(n));
    const extra = got.filter((n) => !names.includes(n));
    const twice = got.filter((n, i) => got.indexOf(n) !== i);
    if (missing.length === 0 && extra.length === 0 && twice.length === 0) return;
    const problems = [
      missing.length > 0 ? `missing ${show(missing)}` : '',
      extra.length > 0 ? `not in the spec ${show(extra)}` : '',
      twice.length > 0 ? `listed twice ${show(twice)}` : '',
    ].filter(Boolean);
    const cluster = clusterContainers(this.pod);
    const inCluster = extra.filter((n) => cluster.main.includes(n) || cluster.init.includes(n));
    const why =
      inCluster.length > 0
        ? `: ${show(inCluster)} run in the cluster (partial offload), the plugin was never given them`
        : '';
    fail(
      `expected ${list} to list every spec container once, ${show(names)}, got ${show(got)} (${problems.join(', ')})${why}`,
    );
  }
}

function stateName(c: ContainerStatus): string {
  const s = c.state;
  if (s.terminated)
    return `terminated (exitCode ${s.terminated.exitCode}${s.terminated.reason ? `, ${s.terminated.reason}` : ''})`;
  if (s.running) return 'running';
  if (s.waiting) return `waiting${s.waiting.reason ? ` (${s.waiting.reason})` : ''}`;
  return 'in no state';
}

/**
 * `init container "x" failed (exitCode 7) but ... is still waiting` when an init container failed and
 * another container is not terminated: a state the VK never leaves (it waits for them all to terminate).
 */
export function stalledAfterInitFailure(entry: PodStatus): string | undefined {
  const failed = entry.initContainers.find((c) => (c.state.terminated?.exitCode ?? 0) !== 0);
  if (!failed) return undefined;
  const open = [...entry.initContainers, ...entry.containers].filter((c) => !c.state.terminated);
  if (open.length === 0) return undefined;
  return (
    `init container "${failed.name}" failed (exitCode ${failed.state.terminated?.exitCode}) but ` +
    `${open.map((c) => `"${c.name}" is still ${stateName(c)}`).join(', ')}`
  );
}

/** `init: a terminated (exitCode 0); main: b running`, for progress and timeout reasons. */
export function describeStatus(entry: PodStatus): string {
  const part = (label: string, list: ContainerStatus[]) =>
    list.length > 0 ? `${label}: ${list.map((c) => `${c.name} ${stateName(c)}`).join(', ')}` : '';
  return [part('initContainers', entry.initContainers), part('containers', entry.containers)]
    .filter(Boolean)
    .join('; ');
}
