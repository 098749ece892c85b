/**
 * Kubernetes' command/args rules in Docker terms: `command` replaces the image's ENTRYPOINT and
 * `args` its CMD; giving `command` alone drops the image's CMD too. Empty lists count as unset.
 */
export interface EntrypointPlan {
  /** `--entrypoint` value, when the image's must be replaced. */
  entrypoint?: string;
  /** Words after the image name (become the container's Cmd). */
  cmd: string[];
}

export function entrypointPlan(
  command: readonly string[] | null | undefined,
  args: readonly string[] | null | undefined,
): EntrypointPlan {
  const hasCommand = !!command && command.length > 0;
  const argv = args && args.length > 0 ? [...args] : [];
  if (hasCommand) {
    // docker run --entrypoint clears the image's CMD, so only our words follow.
    return { entrypoint: command[0] as string, cmd: [...command.slice(1), ...argv] };
  }
  return { cmd: argv };
}
