/**
 * What Linux lets a process be given, checked before a docker command is spawned, so a pod the
 * CLI could never receive is a 422 naming the field instead of `spawn E2BIG` (or Node's refusal
 * of a NUL byte) after half the pod exists.
 */
import { invalidField } from '../../errors.ts';

/** Linux's MAX_ARG_STRLEN is 32 pages (131072 bytes) per argument, its terminating NUL included. */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

/**
 * Our budget for the arguments of one docker command. Linux's ARG_MAX is a quarter of the stack
 * limit (2 MiB with the usual 8 MiB) for the arguments and the environment together: half of it
 * leaves the plugin's own environment and the pointers room.
 */
export const MAX_ARGV_BYTES = 1024 * 1024;

const NUL = '\u0000';

/** Why Linux cannot pass `value` as one argument, or undefined when it can. */
export function argumentProblem(value: string): string | undefined {
  if (value.includes(NUL)) return 'contains a NUL byte (\\u0000), which Linux cannot pass to a process';
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_ARG_BYTES)
    return `is ${bytes} bytes as a docker argument; Linux passes at most ${MAX_ARG_BYTES} bytes in one argument`;
  return undefined;
}

/** Refuses (422 on `field`) a value that cannot be one argument of a process. */
export function checkArgument(field: string, value: string, what = ''): void {
  const problem = argumentProblem(value);
  if (problem) throw invalidField(field, what ? `${what} ${problem}` : problem);
}

/**
 * Refuses (422 on `field`) a whole argument vector that Linux would not take: any argument over
 * the per-argument limit or with a NUL byte, or all of them over MAX_ARGV_BYTES.
 */
export function checkArgv(field: string, args: readonly string[], sources: string): void {
  let total = 0;
  for (const a of args) {
    checkArgument(field, a, `an argument of its docker command (${a.slice(0, 40)}…)`);
    total += Buffer.byteLength(a) + 1;
  }
  if (total > MAX_ARGV_BYTES)
    throw invalidField(
      field,
      `needs ${total} bytes of docker arguments (${sources}); at most ${MAX_ARGV_BYTES} are accepted`,
    );
}
