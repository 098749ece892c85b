/**
 * Kills a container the way the kubelet does after a failed liveness/startup probe or postStart
 * hook: its preStop hook, then its stop signal and SIGKILL after the grace period. The pod's
 * restart policy then applies, and the restart is counted as after any crash.
 */
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type { Logger } from '../../log.ts';
import {
  type ContainerProbeSpec,
  graceAfterPreStop,
  killGraceSeconds,
  MINIMUM_GRACE_SECONDS,
  type ProbeKind,
} from '../../pod/probe-spec.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import type { Engine } from '../engine/engine.ts';
import { LABEL } from '../labels.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { type ActionTarget, runHandler } from './probe-actions.ts';

export interface KillContext {
  engine: Engine;
  view: Pick<PodView, 'containersOfPod'>;
  log: Logger;
}

/** One run of a container to kill, and why. */
export interface KillRequest {
  id: string;
  podUid: string;
  /** The run's StartedAt: a container restarted meanwhile is a new run, left alone. */
  startedAt: string;
  spec: ContainerProbeSpec;
  cause: ProbeKind | 'postStart';
  /** Aborted when the run ends (exit, restart, removal) or the plugin closes. */
  signal: AbortSignal;
  /** Where the preStop hook runs. */
  target: ActionTarget;
  /** True once a delete stops the container, or the plugin closes: the kill then leaves it to them. */
  letGo(): boolean;
}

/** How often a kill checks whether the process has gone. */
const EXIT_POLL_MS = 100;

/** Runs the preStop hook, then stops the run's process within what is left of the grace period. Never throws. */
export async function killContainer(ctx: KillContext, run: KillRequest): Promise<void> {
  const grace = killGraceSeconds(run.spec, run.cause);
  const began = Date.now();
  const preStop = run.spec.lifecycle?.preStop;
  if (preStop) {
    const outcome = await runHandler(preStop, run.target, {
      timeoutMs: grace * 1000,
      signal: run.signal,
      use: 'hook',
    });
    if (!outcome.ok) {
      ctx.log.warn('preStop hook failed', {
        podUid: run.podUid,
        containerId: run.id,
        error: outcome.message,
      });
    }
  }
  const left = Math.max(
    MINIMUM_GRACE_SECONDS,
    graceAfterPreStop(grace, (Date.now() - began) / 1000, preStop !== undefined),
  );
  if (run.signal.aborted || run.letGo()) return;
  try {
    await terminate(ctx, run, left);
  } catch (err) {
    ctx.log.warn('could not kill the container', {
      podUid: run.podUid,
      containerId: run.id,
      error: err instanceof DockerCliError ? err.reason : String(err),
    });
  }
}

/**
 * Stops the run's process. Docker forgets a container's restart policy once `docker kill` or
 * `docker stop` ends it, and `docker start` resets its RestartCount; so where this process can
 * reach the container's main process (same host, same PID namespace) it signals it directly,
 * and Docker restarts it as after any crash, counting the restart. Elsewhere it stops the
 * container through Docker and starts it again as the pod's restart policy says.
 */
async function terminate(ctx: KillContext, run: KillRequest, graceSeconds: number): Promise<void> {
  const { engine, view, log } = ctx;
  const { pid, startedAt, stopSignal } = await engine.containerProcess(run.id);
  // Already exited or restarted: that run is over.
  if (startedAt !== run.startedAt || !(pid > 0)) return;
  if (await signalProcess(run, pid, signalName(stopSignal), graceSeconds)) return;

  await engine.stopContainers([run.id], graceSeconds);
  if (run.letGo()) return;
  const policy =
    groupContainers(view.containersOfPod(run.podUid)).anchor?.Config.Labels?.[LABEL.restartPolicy] ??
    'Always';
  const exitCode = await engine.containerExitCode(run.id);
  if (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)) {
    log.warn('restarting the container through Docker: its restart count starts again from 0', {
      podUid: run.podUid,
      containerId: run.id,
    });
    await engine.startContainers([run.id]);
  }
}

/** The stop signal, SIGKILL after the grace period; false when the process is out of reach. */
async function signalProcess(
  run: KillRequest,
  pid: number,
  stopSignal: NodeJS.Signals,
  graceSeconds: number,
): Promise<boolean> {
  if (!(await ownsProcess(pid, run.id))) return false;
  try {
    process.kill(pid, stopSignal);
  } catch {
    return false;
  }
  const deadline = Date.now() + graceSeconds * 1000;
  while (Date.now() < deadline && !run.signal.aborted) {
    await new Promise((r) => setTimeout(r, EXIT_POLL_MS));
    if (!(await ownsProcess(pid, run.id))) return true;
  }
  if (!run.signal.aborted && (await ownsProcess(pid, run.id))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return true;
}

/** Whether `pid` is a process of this container, judged by its cgroup, which names the container. */
async function ownsProcess(pid: number, containerId: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes(containerId);
  } catch {
    return false;
  }
}

/** Docker's StopSignal ("SIGQUIT", "QUIT", "3" or empty) as a name Node knows; SIGTERM by default. */
function signalName(value: string): NodeJS.Signals {
  const known = osConstants.signals as Record<string, number>;
  if (/^\d+$/.test(value)) {
    const byNumber = Object.entries(known).find(([, n]) => n === Number(value));
    if (byNumber) return byNumber[0] as NodeJS.Signals;
  }
  const name = value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
  return name in known ? (name as NodeJS.Signals) : 'SIGTERM';
}
