/**
 * What Linux lets a process be given, checked before a docker command is spawned, so a pod the
 * CLI (or the container's first process) could never receive is a 422 naming the field instead
 * of `spawn E2BIG` (or Node's refusal of a NUL byte) after half the pod exists. Env values are
 * not docker arguments (env-delivery.ts), but the container's process gets them from execve as
 * it gets its command: the same limits hold for them there.
 */
import { invalidField } from '../../errors.ts';

/** Linux's MAX_ARG_STRLEN is 32 pages (131072 bytes) per argument or variable, its terminating NUL included. */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

/**
 * Our budget for the arguments and environment of one process start. Linux's ARG_MAX is a
 * quarter of the stack limit (2 MiB with the usual 8 MiB) for both together: half of it leaves
 * the inherited environment and the pointers room.
 */
export const MAX_ARGV_BYTES = 1024 * 1024;

const NUL = '\u0000';

/** Why Linux cannot pass `value` as one argument (or variable), or undefined when it can. */
export function argumentProblem(value: string, as = 'as a docker argument'): string | undefined {
  if (value.includes(NUL)) return 'contains a NUL byte (\\u0000), which Linux cannot pass to a process';
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_ARG_BYTES)
    return `is ${bytes} bytes ${as}; Linux passes at most ${MAX_ARG_BYTES} bytes in one argument or variable`;
  return undefined;
}

/** Refuses (422 on `field`) a value that cannot be one argument of a process. */
export function checkArgument(field: string, value: string, what = '', as?: string): void {
  const problem = argumentProblem(value, as);
  if (problem) throw invalidField(field, what ? `${what} ${problem}` : problem);
}

/** Refuses (422 on `field`) strings handed to one process start that are over MAX_ARGV_BYTES together. */
export function checkTotal(field: string, strings: readonly string[], sources: string): void {
  let total = 0;
  for (const s of strings) total += Buffer.byteLength(s) + 1;
  if (total > MAX_ARGV_BYTES)
    throw invalidField(field, `needs ${total} bytes (${sources}); at most ${MAX_ARGV_BYTES} are accepted`);
}

/**
 * Refuses (422 on `field`) a whole argument vector that Linux would not take: any argument over
 * the per-argument limit or with a NUL byte, or all of them over MAX_ARGV_BYTES.
 */
export function checkArgv(field: string, args: readonly string[], sources: string): void {
  for (const a of args) checkArgument(field, a, `an argument of its docker command (${a.slice(0, 40)}…)`);
  checkTotal(field, args, `docker arguments: ${sources}`);
}
