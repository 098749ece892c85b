/**
 * Exclusive GPUs, as kubelet's device manager hands them out: a pod is given devices no other
 * pod holds, or it is not admitted. Who holds what is read from Docker's labels each time
 * (through the caller's `held`), so a plugin restart loses nothing; the only state kept here is
 * the devices of creates under way, whose containers Docker does not have yet.
 */
import { PluginError } from '../../errors.ts';
import { GPU_RESOURCE } from '../../pod/gpu-request.ts';

export interface GpuAllocatorOptions {
  /** Devices held by containers Docker has, of pods that have not ended. */
  held: () => Iterable<string>;
}

export class GpuAllocator {
  /** Every device the plugin may hand out, in the order they are preferred; none until the inventory. */
  private devices: readonly string[] = [];
  private readonly held: () => Iterable<string>;
  /** Pod UID → its devices, from admission until its containers are in Docker (or its create failed). */
  private readonly admitting = new Map<string, readonly string[]>();

  constructor(options: GpuAllocatorOptions) {
    this.held = options.held;
  }

  /** The host's devices, once start-up has taken the inventory (gpu-inventory.ts). */
  stock(devices: readonly string[]): void {
    this.devices = [...devices];
  }

  /** How many devices the node offers: what the scheduler is told, not what is free. */
  get total(): number {
    return this.devices.length;
  }

  /** The devices nobody holds now, in preference order. */
  free(): string[] {
    const taken = new Set(this.held());
    for (const ids of this.admitting.values()) for (const id of ids) taken.add(id);
    return this.devices.filter((d) => !taken.has(d));
  }

  /**
   * Takes `count` free devices for a pod. Synchronous on purpose: two creates running at once
   * cannot both see a device free. Throws the kubelet's admission error when too few are free.
   */
  admit(podUid: string, count: number, pod: string): string[] {
    if (count === 0) return [];
    const free = this.free();
    if (free.length < count) {
      throw new PluginError(
        'conflict',
        `UnexpectedAdmissionError: Allocate failed due to requested number of devices unavailable for ${GPU_RESOURCE}. ` +
          `Requested: ${count}, Available: ${free.length}, which is unexpected. Pod ${pod} was not created: ` +
          `this node hands out ${this.total} GPUs and other pods' containers hold ${this.total - free.length}; ` +
          'create it again once they have ended.',
      );
    }
    const ids = free.slice(0, count);
    this.admitting.set(podUid, ids);
    return ids;
  }

  /** The pod's create is over: its containers carry its devices in their labels now, or it failed. */
  settle(podUid: string): void {
    this.admitting.delete(podUid);
  }
}
