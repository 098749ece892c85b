/**
 * What the virtual node offers of the host's CPUs and memory (interLink issue #558: a ping with "0"
 * drained a node). An operator sets each as the host's total (empty), a share of it ("50%") or a
 * fixed quantity ("8", "64Gi"); whatever is set, the node never offers 0 nor more than the host has.
 */
import { cpuToMilliCpus, memoryToBytes } from './quantity.ts';

export type CapacitySetting =
  | { kind: 'host' }
  | { kind: 'share'; percent: number }
  | { kind: 'fixed'; amount: number };

/**
 * Reads a capacity setting; throws an Error saying what is wrong. `amount` is in CPUs (cpu) or bytes
 * (memory).
 */
export function parseCapacity(text: string, resource: 'cpu' | 'memory'): CapacitySetting {
  const value = text.trim();
  if (value === '') return { kind: 'host' };
  const share = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (share) {
    const percent = Number(share[1]);
    if (!(percent > 0 && percent <= 100)) throw new Error(`"${value}" is not a share between 0% and 100%`);
    return { kind: 'share', percent };
  }
  let amount: number;
  try {
    amount = resource === 'cpu' ? cpuToMilliCpus(value) / 1000 : memoryToBytes(value);
  } catch {
    throw new Error(
      `"${value}" is not empty (the host's total), a share such as 50%, or a ${resource === 'cpu' ? 'CPU quantity such as 8 or 4500m' : 'memory quantity such as 64Gi'}`,
    );
  }
  if (!(amount > 0)) throw new Error(`"${value}" is zero: a ping with 0 drains the node`);
  return { kind: 'fixed', amount };
}

/**
 * What the node offers of a host total: never more than the host has, never 0 while the host has
 * any (undefined when the host's total is unknown, so the ping leaves the node's value alone).
 * CPUs are cut to whole millicores, memory to whole KiB.
 */
export function offered(
  setting: CapacitySetting,
  hostTotal: number | undefined,
  resource: 'cpu' | 'memory',
): number | undefined {
  if (hostTotal === undefined || !Number.isFinite(hostTotal) || hostTotal <= 0) return undefined;
  const unit = resource === 'cpu' ? 0.001 : 1024;
  const wanted =
    setting.kind === 'host'
      ? hostTotal
      : setting.kind === 'share'
        ? (hostTotal * setting.percent) / 100
        : Math.min(setting.amount, hostTotal);
  const units = Math.max(1, Math.floor(Math.round((wanted / unit) * 1000) / 1000));
  return resource === 'cpu' ? units / 1000 : units * unit;
}
