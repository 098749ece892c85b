/**
 * The ping answer as interLink 0.6 reads it (Go PingResponse): every field optional, an omitted
 * one leaves the virtual node's value alone, a "0" drains the node, and `taints` (even []) replaces
 * every non-system taint. So only values known to be positive are sent, taints only when the
 * operator configured them, and nothing else: the answer is stored verbatim in a node annotation.
 */
import type { PingResponse } from './api-types.ts';

export interface NodeFacts {
  /** CPUs Docker can use; 0 or unknown is left out. */
  cpus?: number | undefined;
  memoryBytes?: number | undefined;
  pods?: number | undefined;
  /** Devices the plugin may hand out, per resource type; a type with none is left out. */
  accelerators?: Accelerators | undefined;
  taints?: PingResponse['taints'];
}

type Accelerators = NonNullable<NonNullable<PingResponse['resources']>['accelerators']>;

const positive = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0;

export function pingResponse(facts: NodeFacts): PingResponse {
  const resources: NonNullable<PingResponse['resources']> = {};
  if (positive(facts.cpus)) resources.cpu = String(facts.cpus);
  // Whole KiB, as kubelet reports a node's memory; less than one KiB is no memory worth offering.
  const kib = positive(facts.memoryBytes) ? Math.floor(facts.memoryBytes / 1024) : 0;
  if (kib > 0) resources.memory = `${kib}Ki`;
  if (positive(facts.pods)) resources.pods = String(Math.floor(facts.pods));
  const accelerators = (facts.accelerators ?? []).filter((a) => positive(Number(a.available)));
  if (accelerators.length > 0) resources.accelerators = accelerators;
  return {
    status: 'ok',
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    ...(facts.taints ? { taints: facts.taints } : {}),
  };
}
