/**
 * The Docker networks pods join (`--pod-networks`), how many pods each can hold, and which one a
 * new pod goes to: the one with the most room left. A Linux bridge takes 1024 ports and Docker
 * refuses more at about 1000 containers ("exchange full"), so one host runs more pods than that only
 * across several networks, and the ping never promises more than they hold.
 */
import type { DockerCli } from '../engine/docker-cli.ts';
import { inspectNetworks } from '../engine/docker-verbs.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';

/** Label on the container that owns a pod's network (sandbox or lone container): the network it joined. */
export const POD_NETWORK_LABEL = LABEL.podNetwork;

/** Pods a bridge network holds: a Linux bridge has 1024 ports; a few stay free for whatever else joins it. */
export const BRIDGE_POD_LIMIT = 1000;

/** Docker's default network: what pods join when no `--pod-networks` is set. */
export const DEFAULT_NETWORK = 'bridge';

export interface NetworkRoom {
  name: string;
  /** Pods it holds at most: the bridge's port limit and the addresses of its subnets. */
  capacity: number;
}

interface NetworkInspect {
  Name: string;
  Driver: string;
  IPAM?: { Config?: Array<{ Subnet?: string }> | null };
}

/** Usable IPv4 addresses of a subnet (network, broadcast and gateway left out); IPv6 is never the limit. */
export function subnetHosts(subnet: string): number {
  const m = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(subnet);
  if (!m) return Number.POSITIVE_INFINITY;
  return Math.max(0, 2 ** (32 - Number(m[1])) - 3);
}

/** How many pods a network holds, from `docker network inspect`. */
export function networkCapacity(n: NetworkInspect): number {
  const subnets = (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean);
  const addresses = subnets.length > 0 ? subnets.reduce((sum, s) => sum + subnetHosts(s), 0) : Infinity;
  const ports = n.Driver === 'bridge' ? BRIDGE_POD_LIMIT : Number.POSITIVE_INFINITY;
  const capacity = Math.min(addresses, ports);
  return Number.isFinite(capacity) ? capacity : BRIDGE_POD_LIMIT;
}

/** The network with the most room left, or undefined when every one is full. */
export function leastFilled(
  rooms: readonly NetworkRoom[],
  used: ReadonlyMap<string, number>,
): string | undefined {
  let best: { name: string; free: number } | undefined;
  for (const r of rooms) {
    const free = r.capacity - (used.get(r.name) ?? 0);
    if (free > 0 && (!best || free > best.free)) best = { name: r.name, free };
  }
  return best?.name;
}

/** Pods per network, counted from the containers that own a pod's network (the only ones labelled with it). */
export function podsPerNetwork(containers: Iterable<ContainerInspect>): Map<string, number> {
  const used = new Map<string, number>();
  for (const c of containers) {
    const name = c.Config.Labels?.[POD_NETWORK_LABEL];
    if (name) used.set(name, (used.get(name) ?? 0) + 1);
  }
  return used;
}

export class PodNetworks {
  private rooms: NetworkRoom[] = [];
  /** Pods being created: counted before Docker has their containers. */
  private readonly placing = new Map<string, string>();

  /** @param names the `--pod-networks` setting; empty = Docker's default bridge, joined without `--network`. */
  constructor(
    private readonly docker: DockerCli,
    private readonly names: readonly string[],
  ) {}

  /** Reads every network once; a missing one stops the plugin with its name. */
  async load(): Promise<void> {
    const names = this.names.length > 0 ? this.names : [DEFAULT_NETWORK];
    const found = (await inspectNetworks(this.docker, names).catch((err: Error) => {
      throw new Error(`PLUGIN_POD_NETWORKS: ${names.join(', ')}: ${err.message}`);
    })) as NetworkInspect[];
    this.rooms = names.map((name) => {
      const n = found.find((f) => f.Name === name);
      if (!n) throw new Error(`PLUGIN_POD_NETWORKS: Docker has no network "${name}"`);
      return { name, capacity: networkCapacity(n) };
    });
  }

  /** Pods all networks hold together. */
  capacity(): number {
    return this.rooms.reduce((sum, r) => sum + r.capacity, 0);
  }

  /**
   * Picks the network for a new pod and holds its place until `placed` is called. Returns the
   * docker args that join it (none for Docker's default bridge) and the label that records it.
   */
  place(uid: string, containers: Iterable<ContainerInspect>): { name: string; args: string[] } | undefined {
    const used = podsPerNetwork(containers);
    for (const [placing, name] of this.placing)
      if (placing !== uid) used.set(name, (used.get(name) ?? 0) + 1);
    const name = leastFilled(this.rooms, used);
    if (!name) return undefined;
    this.placing.set(uid, name);
    const join = this.names.length > 0 ? ['--network', name] : [];
    return { name, args: [...join, '--label', `${POD_NETWORK_LABEL}=${name}`] };
  }

  /** The pod's containers exist (or were never made): Docker's labels count it from now on. */
  placed(uid: string): void {
    this.placing.delete(uid);
  }
}
