/**
 * Holds a pod's containers back until interLink's mesh is up, and fails the pod when it cannot come
 * up: the helper exited first, took longer than PLUGIN_NETWORK_HELPER_TIMEOUT, or left a resolver
 * the plugin does not copy (a link, not a file, too large). Everything it decides comes from
 * Docker's state and the files (the helper's `up`, the plugin's `failed`), so a restarted plugin
 * decides the same. It also says what the pod's containers show meanwhile.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { PodStatus } from '../../contract/api-types.ts';
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { containerLogTail, setRestartPolicy, stopContainers } from '../engine/docker-verbs.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { isRegularFile, readRegularFile, replaceFile } from '../nofollow-files.ts';
import { kubeTime } from '../view/container-status.ts';
import { mergeTimestamped, safeTail, secretValues, TAIL_LINES } from './helper-log-tail.ts';
import { HelperRestarts } from './helper-restarts.ts';
import {
  expectedHelper,
  failureNote,
  findHelper,
  HELPER_LOG_NAME,
  helperOutDir,
  meshScriptFile,
  networkDir,
  podResolvConf,
} from './network-helper.ts';

export interface MeshGateOptions {
  docker: DockerCli;
  stateDir: string;
  timeoutSeconds: number;
  log: Logger;
  /** Called when a watched pod's mesh may have come up or timed out: the backend reconciles it. */
  recheck: (uid: string) => void;
  /** The proxy variables the helpers get: their passwords are left out of the log shown. */
  proxyEnv?: Readonly<Record<string, string>>;
  /** false on Podman, which cannot switch the helper to `on-failure`: the plugin restarts it (helper-restarts.ts). */
  updatesRestartPolicy?: boolean;
}

const WATCH_MS = 500;
/** Far more than any resolv.conf (glibc reads 3 nameservers and 6 search domains). */
const RESOLVER_MAX_BYTES = 64 * 1024;
/** The mesh script the plugin wrote, read for its secrets: interLink's is about 20 KiB. */
const SCRIPT_MAX_BYTES = 1024 * 1024;
/** The plugin's own note: a sentence. */
const NOTE_MAX_BYTES = 16 * 1024;

export class MeshGate {
  private readonly up = new Set<string>();
  private readonly failed = new Map<string, string>();
  /** Pods whose mesh is coming up, with the time it may take until. */
  private readonly watching = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly restarts: HelperRestarts | undefined;

  constructor(private readonly options: MeshGateOptions) {
    if (options.updatesRestartPolicy === false) this.restarts = new HelperRestarts(options);
  }

  /**
   * Whether the pod's containers may start: yes without a mesh helper or once the mesh is up;
   * no while it comes up, or after it failed (which is noted for the status).
   */
  async mayStart(uid: string, containers: readonly ContainerInspect[]): Promise<boolean> {
    const helper = findHelper(containers, 'mesh');
    if (!helper && expectedHelper(containers) !== 'mesh') return true;
    if (this.up.has(uid)) {
      if (helper) this.restarts?.keepUp(uid, helper);
      return true;
    }
    if (this.failed.has(uid)) return false;
    const dir = networkDir(this.options.stateDir, uid);
    const noted = await readRegularFile(failureNote(dir), NOTE_MAX_BYTES);
    if (noted.ok) return this.fail(uid, noted.text, dir, false);
    if (!helper) return this.fail(uid, "interLink's mesh network failed: its helper container is gone", dir);
    const outcome = await meshUp(dir);
    if ('failure' in outcome) return this.fail(uid, outcome.failure, dir);
    if (outcome.up) {
      this.up.add(uid);
      this.watching.delete(uid);
      // From now on a crash is Docker's to restart; before, a failure had to stay a failure.
      if (this.restarts) this.restarts.keepUp(uid, helper);
      else
        await setRestartPolicy(this.options.docker, helper.Id, 'on-failure').catch((err: Error) =>
          this.options.log.warn('could not set the mesh helper restart policy', {
            podUid: uid,
            error: err.message,
          }),
        );
      return true;
    }
    const s = helper.State;
    if (s.Status === 'exited' || s.Status === 'dead' || (s.Status === 'created' && s.Error)) {
      const why = s.Error
        ? `could not start: ${s.Error}`
        : `exited with code ${s.ExitCode} before the mesh was up`;
      const tail = await this.logTail(helper.Id, dir);
      return this.fail(uid, `interLink's mesh network failed: its helper ${why}`, dir, true, tail);
    }
    const since = Date.parse(isZeroTime(s.StartedAt) ? helper.Created : s.StartedAt);
    const deadline = since + this.options.timeoutSeconds * 1000;
    if (Date.now() >= deadline) {
      await stopContainers(this.options.docker, [helper.Id], 1).catch(() => {});
      const tail = await this.logTail(helper.Id, dir);
      return this.fail(
        uid,
        `interLink's mesh network failed: it was not up within ${this.options.timeoutSeconds} s (PLUGIN_NETWORK_HELPER_TIMEOUT)`,
        dir,
        true,
        tail,
      );
    }
    this.watch(uid, deadline);
    return false;
  }

  /** The gate's own state that applyToStatus reads (besides the containers): a kept answer depends on it. */
  statusState(uid: string): string {
    return `${this.up.has(uid)}\u0000${this.failed.get(uid) ?? ''}`;
  }

  /** What the pod's containers that have not started show while the mesh comes up, or after it failed. */
  applyToStatus(status: PodStatus, containers: readonly ContainerInspect[]): void {
    const uid = status.UID;
    if (this.up.has(uid) || (!findHelper(containers, 'mesh') && expectedHelper(containers) !== 'mesh'))
      return;
    const failure = this.failed.get(uid);
    const log = `its log: /getLogs of container "${HELPER_LOG_NAME.mesh}"`;
    const helper = findHelper(containers, 'mesh');
    for (const c of [...status.initContainers, ...status.containers]) {
      if (!c.state.waiting) continue;
      if (failure) {
        c.state = {
          terminated: withFinish(
            { exitCode: 1, reason: 'MeshNetworkFailed', message: `${failure}; ${log}` },
            helper?.State.FinishedAt,
          ),
        };
      } else if (
        c.state.waiting.reason === 'ContainerCreating' ||
        c.state.waiting.reason === 'PodInitializing'
      ) {
        c.state = {
          waiting: {
            reason: 'PodInitializing',
            message: `waiting for interLink's mesh network to come up (${log})`,
          },
        };
      }
    }
  }

  forget(uid: string): void {
    this.restarts?.forget(uid);
    this.up.delete(uid);
    this.failed.delete(uid);
    this.watching.delete(uid);
  }

  close(): void {
    this.restarts?.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * `; the last lines of its log: «…» | «…»`, lines that may hold a secret left out
   * (helper-log-tail.ts), or nothing when Docker has no log to give.
   */
  private async logTail(helperId: string, dir: string): Promise<string> {
    const script = await readRegularFile(meshScriptFile(dir), SCRIPT_MAX_BYTES);
    const secrets = secretValues(script.ok ? script.text : '', Object.values(this.options.proxyEnv ?? {}));
    // Without the script the secrets are unknown: show nothing rather than guess.
    if (!script.ok) return '';
    const logs = await containerLogTail(this.options.docker, helperId, TAIL_LINES * 4).catch(() => undefined);
    if (!logs) return '';
    const lines = safeTail(mergeTimestamped(logs.stdout, logs.stderr), secrets);
    return lines.length > 0 ? `; the last lines of its log: ${lines.map((l) => `«${l}»`).join(' | ')}` : '';
  }

  /**
   * `tail`: the helper's last log lines, for the pod's status only. The plugin's own log never
   * carries what the pod's annotation text printed (docs/security-mesh.md): it says how many
   * lines the status shows.
   */
  private async fail(uid: string, message: string, dir: string, note = true, tail = ''): Promise<false> {
    const full = `${message}${tail}`.trim();
    this.failed.set(uid, full);
    this.watching.delete(uid);
    if (note) {
      this.options.log.warn('mesh network failed', {
        podUid: uid,
        reason: message,
        ...(tail ? { helperLog: "the helper's last log lines are in the pod's status" } : {}),
      });
      // Kept in the plugin's own dir, so a restarted plugin reports the same reason.
      await replaceFile(failureNote(dir), full).catch(() => {});
    }
    return false;
  }

  private watch(uid: string, deadline: number): void {
    this.watching.set(uid, deadline);
    this.timer ??= setInterval(() => void this.tick(), WATCH_MS);
  }

  private async tick(): Promise<void> {
    for (const [uid, deadline] of this.watching) {
      const up = join(helperOutDir(networkDir(this.options.stateDir, uid)), 'up');
      if (Date.now() >= deadline || (await isRegularFile(up))) this.options.recheck(uid);
    }
    if (this.watching.size === 0) this.close();
  }
}

/**
 * Whether the helper says the mesh is up, with the pod's resolver filled from the helper's first.
 * Filled once: a restarted plugin finds it filled and copies nothing, so what the helper did to its
 * own file since reaches no one. A resolver that is not a plain file fails the mesh.
 */
async function meshUp(dir: string): Promise<{ up: boolean } | { failure: string }> {
  const out = helperOutDir(dir);
  if (!(await isRegularFile(join(out, 'up')))) return { up: await madeUpBeforeOwnDir(dir) };
  const copy = await fs.lstat(podResolvConf(dir)).catch(() => undefined);
  if (copy?.isFile() && copy.size > 0) return { up: true };
  const resolver = await readRegularFile(join(out, 'resolv.conf'), RESOLVER_MAX_BYTES);
  if (!resolver.ok)
    return { failure: `interLink's mesh network failed: the resolver file its helper wrote ${resolver.why}` };
  await replaceFile(podResolvConf(dir), resolver.text);
  return { up: true };
}

/**
 * A pod made before the helper had a directory of its own: its helper wrote `up` into the network
 * dir and its containers mount the resolver it wrote there. Its mesh is up as it was; stopping its
 * helper now (as one never up) would cut a running pod off.
 */
async function madeUpBeforeOwnDir(dir: string): Promise<boolean> {
  if (
    await fs.lstat(helperOutDir(dir)).then(
      () => true,
      () => false,
    )
  )
    return false;
  return isRegularFile(join(dir, 'up'));
}

function withFinish<T extends object>(o: T, finishedAt: string | undefined): T {
  const t = kubeTime(finishedAt);
  return t ? { ...o, finishedAt: t } : o;
}
