/**
 * Why a container could not start (its command is not in the image...). Docker keeps it in the
 * container's state (State.Error, and an exit code); Podman leaves such a container "created"
 * with neither, and the reason is only in the answer to the start that failed. There the plugin
 * keeps it itself (view/start-failures.ts), read from that answer here.
 */

export interface StartFailure {
  message: string;
  exitCode: number;
}

const DAEMON = 'Error response from daemon: ';

/**
 * The reason and exit code of a failed `docker start` / `docker run -d`, from the CLI's stderr,
 * with Docker's exit codes: 127 when the command is not found, 126 when it may not be run, 128
 * otherwise. Pure.
 */
export function startFailureOf(stderr: string): StartFailure {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Error: failed to start containers?:/.test(l));
  const fromDaemon = lines.filter((l) => l.startsWith(DAEMON)).map((l) => l.slice(DAEMON.length));
  const message = (fromDaemon.length > 0 ? fromDaemon : lines).join('; ') || 'the container could not start';
  const exitCode = /executable file not found|no such file or directory/i.test(message)
    ? 127
    : /permission denied/i.test(message)
      ? 126
      : 128;
  return { message, exitCode };
}
