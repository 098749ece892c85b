/**
 * A container as the pod view keeps it: only what the plugin reads (a full inspect is ~10 KB, and
 * the view holds thousands), and what counts as a change worth telling listeners about.
 */
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { ownLabels } from '../labels.ts';

/** The part of an inspect the view keeps. */
export function trim(c: ContainerInspect): ContainerInspect {
  const s = c.State;
  return {
    Id: c.Id,
    Name: c.Name,
    Created: c.Created,
    Image: c.Image,
    RestartCount: c.RestartCount,
    State: {
      Status: s.Status,
      Running: s.Running,
      Restarting: s.Restarting,
      OOMKilled: s.OOMKilled,
      Dead: s.Dead,
      Pid: s.Pid,
      ExitCode: s.ExitCode,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
    },
    Config: { Image: c.Config.Image, Labels: ownLabels(c.Config.Labels) },
    HostConfig: { Memory: c.HostConfig?.Memory ?? 0 },
    NetworkSettings: { IPAddress: podIp(c) },
  };
}

/** The container's IP on its (first) network; empty for containers sharing another's network. */
function podIp(c: ContainerInspect): string {
  const ns = c.NetworkSettings;
  if (ns?.IPAddress) return ns.IPAddress;
  for (const n of Object.values(ns?.Networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return '';
}

/** Docker's zero time, as inspect prints it for a time that never was. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A container as its `start` event tells it, until it is read: running since the event, with its
 * labels (Docker's container events carry them all, with the name and the image). What only a
 * read tells stays unknown (empty or 0): the image's ID, the process, the IP.
 */
export function startedRecord(
  id: string,
  attributes: Readonly<Record<string, string>>,
  atMs: number,
): ContainerInspect {
  const at = new Date(atMs).toISOString();
  return {
    Id: id,
    Name: `/${attributes.name ?? ''}`,
    Created: at,
    Image: '',
    RestartCount: 0,
    State: {
      Status: 'running',
      Running: true,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: at,
      FinishedAt: ZERO_TIME,
    },
    Config: { Image: attributes.image ?? '', Labels: ownLabels(attributes) },
    HostConfig: { Memory: 0 },
    NetworkSettings: { IPAddress: '' },
  };
}

/** Whether listeners should hear of the difference between two reads of a container. */
export function changed(a: ContainerInspect, b: ContainerInspect): boolean {
  return (
    a.State.Status !== b.State.Status ||
    a.State.OOMKilled !== b.State.OOMKilled ||
    a.State.StartedAt !== b.State.StartedAt ||
    a.State.FinishedAt !== b.State.FinishedAt ||
    a.RestartCount !== b.RestartCount ||
    (isZeroTime(a.State.StartedAt) && a.State.Error !== b.State.Error)
  );
}
