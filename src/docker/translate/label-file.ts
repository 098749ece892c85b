/**
 * Labels whose values are a pod's free text (its probes and lifecycle hooks, with httpGet headers
 * such as `Authorization: Bearer …`) reach Docker through `--label-file`, never `--label k=v`: a
 * command line is every local user's to read (/proc/<pid>/cmdline). The docker CLI reads a label
 * file with the same parser as an env file (pkg/kvfile), so the same rules say what it can carry
 * (env-delivery.ts); the file is written and removed as the env file is (container-command.ts).
 * Pure: no files, no processes.
 */
import { envFileProblem, FILE_HEADER } from './env-delivery.ts';

/** A label file: where and what. */
export interface LabelFile {
  path: string;
  text: string;
}

/**
 * The label file at `filePath` carrying `labels` (key → value, in order), or undefined when there
 * are none. Throws LabelFileRefusal for a label the file cannot carry unchanged.
 */
export function planLabelFile(
  labels: ReadonlyArray<readonly [string, string]>,
  filePath: string,
): LabelFile | undefined {
  if (labels.length === 0) return undefined;
  const lines: string[] = [];
  for (const [key, value] of labels) {
    const problem = envFileProblem(key, value);
    if (problem) throw new LabelFileRefusal(key, problem);
    lines.push(`${key}=${value}\n`);
  }
  return { path: filePath, text: FILE_HEADER + lines.join('') };
}

/** A label the docker CLI's label file cannot carry unchanged. */
export class LabelFileRefusal extends Error {
  override name = 'LabelFileRefusal';
  constructor(
    readonly label: string,
    readonly problem: string,
  ) {
    super(`label ${label}: ${problem}, which the docker CLI's label file cannot carry`);
  }
}
