/**
 * Counts the docker calls the plugin makes per create and per delete: the sidecar runs with a
 * `--docker` wrapper that appends each call's verb to a file, then execs docker.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CallLog {
  /** The path to pass as `--docker`. */
  wrapper: string;
  /** The verbs called since the last mark ("run", "container inspect", ...), by count. */
  since(): Record<string, number>;
}

/** Writes the wrapper into `dir`. It uses only shell builtins, then execs the real docker. */
export function recordingDocker(dir: string): CallLog {
  const log = join(dir, 'docker-calls.log');
  const wrapper = join(dir, 'docker-recording');
  writeFileSync(log, '');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$1" in container|image|network|volume) v="$1 $2";; *) v="$1";; esac\necho "$v" >> '${log}'\nexec docker "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  let read = 0;
  return {
    wrapper,
    since() {
      const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const counts: Record<string, number> = {};
      for (const verb of lines.slice(read)) counts[verb] = (counts[verb] ?? 0) + 1;
      read = lines.length;
      return counts;
    },
  };
}
