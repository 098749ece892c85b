/**
 * What the log line of a failed request says about its cause: for a command that failed (the
 * docker CLI's DockerCliError), the command as it may be logged, its exit code and its stderr.
 * These stay in the log, under the request's session; the answer carries none of them (app.ts).
 * Read by shape, so the HTTP layer needs no backend's types.
 */
import type { Fields } from '../log.ts';

interface FailedCommand {
  command: string;
  exitCode: number | null;
  stderr: string;
}

const isFailedCommand = (e: Error): e is Error & FailedCommand =>
  typeof (e as Partial<FailedCommand>).command === 'string' &&
  typeof (e as Partial<FailedCommand>).stderr === 'string';

/** Log fields for an error's cause chain: its first message, and the first failed command in it. */
export function causeFields(cause: unknown): Fields {
  const fields: Fields = {};
  for (let e = cause; e instanceof Error; e = e.cause) {
    if (fields.cause === undefined) fields.cause = e.message;
    if (isFailedCommand(e)) {
      fields.command = e.command;
      fields.exitCode = e.exitCode;
      fields.stderr = e.stderr;
      break;
    }
  }
  return fields;
}
