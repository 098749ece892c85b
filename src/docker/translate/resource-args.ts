/**
 * A container's decided resources (pod/container-resources.ts) as `docker create` arguments.
 * The CPU limit is `--cpu-period`/`--cpu-quota`, not `--cpus`: the engine refuses a `--cpus`
 * above the host's CPU count, which Kubernetes allows. Memory gets an equal `--memory-swap`.
 */
import { invalidField } from '../../errors.ts';
import type { ContainerResources } from '../../pod/container-resources.ts';

// The Docker engine refuses smaller memory limits ("Minimum memory limit allowed is 6MB").
const DOCKER_MIN_MEMORY = 6 * 1024 * 1024;

/** `docker create` args for a container's resources; `field` is the container's JSON pointer. */
export function resourceArgs(resources: ContainerResources, field: string): string[] {
  const args: string[] = [];
  const { cpu } = resources;
  if (cpu) args.push('--cpu-period', String(cpu.periodUs), '--cpu-quota', String(cpu.quotaUs));
  if (resources.cpuShares !== undefined) args.push('--cpu-shares', String(resources.cpuShares));
  const bytes = resources.memoryBytes;
  if (bytes !== undefined) {
    if (bytes < DOCKER_MIN_MEMORY) {
      throw invalidField(
        `${field}/resources/limits/memory`,
        `is ${bytes} bytes, below 6Mi, the smallest memory limit Docker accepts`,
      );
    }
    args.push('--memory', String(bytes), '--memory-swap', String(bytes));
  }
  return args;
}
