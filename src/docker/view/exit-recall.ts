/**
 * The last exits of containers the engine restarted before the plugin started. Docker and Podman
 * clear a container's exit code when they restart it, and the plugin keeps the exits its events
 * told in memory (last-exits.ts), so such a container would show no lastState until it exits
 * again. The engine's record of past events still holds the exit: one `docker events --since
 * --until` of the plugin's die and oom events, read at start-up only when some restarted container
 * has no known exit. It begins shortly before the earliest current run among them (Docker waits at
 * most a minute before a restart), at most a day back. Docker keeps only its last 256 events, and
 * none across a daemon restart: an exit older than those stays unknown (no lastState, as before).
 */
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { pastContainerEvents } from '../engine/docker-verbs.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { type ContainerEvent, parseEvent } from './events-stream.ts';
import type { LastExits } from './last-exits.ts';

/** Docker's longest restart back-off (a minute), with room for the start itself. */
const BACKOFF_MS = 2 * 60_000;
const LOOKBACK_MAX_MS = 24 * 3600_000;

/** Recalls the last exits of `containers` (as kept) that need one; returns the ids given an exit. */
export async function recallExits(
  engine: { docker: DockerCli; instance: string; log: Logger; pastEventsLeadMs?: number },
  containers: Iterable<ContainerInspect>,
  exits: LastExits,
): Promise<string[]> {
  const { docker, instance, log, pastEventsLeadMs = 0 } = engine;
  const wanting = new Map<string, ContainerInspect>();
  for (const c of containers) {
    // lastState is shown for a restarted container that is not exited (container-status.ts).
    if (
      c.RestartCount > 0 &&
      c.State.Status !== 'exited' &&
      !isZeroTime(c.State.StartedAt) &&
      !exits.get(c.Id)
    )
      wanting.set(c.Id, c);
  }
  if (wanting.size === 0) return [];
  const now = Date.now();
  let earliest = now;
  for (const c of wanting.values()) earliest = Math.min(earliest, Date.parse(c.State.StartedAt) || now);
  const sinceMs = Math.max(now - LOOKBACK_MAX_MS, earliest - BACKOFF_MS);
  let lines: string[];
  try {
    // Podman's compat API filters a die by its own name for it, `died` (Docker has no such event).
    const actions = ['die', 'died', 'oom'];
    const label = `${LABEL.owner}=${instance}`;
    lines = await pastContainerEvents(docker, label, actions, sinceMs, now + pastEventsLeadMs);
  } catch (err) {
    log.warn('the exits of containers restarted before the plugin started could not be read', {
      error: (err as Error).message,
    });
    return [];
  }
  const events: Array<ContainerEvent & { exitCode: number }> = [];
  for (const line of lines) {
    const e = parseEvent(line);
    if (e && wanting.has(e.id)) events.push({ ...e, exitCode: Number(e.attributes.exitCode ?? 0) });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const recalled = exits.recall(events, new Date(sinceMs).toISOString(), (id) => wanting.get(id));
  log.debug('recalled the last exits of containers restarted before the plugin started', {
    restarted: wanting.size,
    recalled: recalled.length,
    events: events.length,
  });
  return recalled;
}
