/**
 * Runs the `docker create` / `docker run -d` of a pod's container with its env delivered as
 * env-delivery.ts planned: the env file exists (mode 0600, in the pod's state directory, which
 * no container sees) only while the docker CLI runs, and the values the file cannot carry ride in
 * the CLI's own environment. No value is ever in the argv. Its label file (label-file.ts: probes
 * and hooks, with their HTTP headers) lives beside the env file, written and removed with it.
 */
import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { DockerCliError } from '../engine/docker-cli.ts';
import type { Engine } from '../engine/engine.ts';
import { startFailureOf } from '../engine/start-failure.ts';
import { LABEL } from '../labels.ts';
import { podEnvFile } from '../state-dir.ts';
import { type EnvDelivery, planEnvDelivery } from '../translate/env-delivery.ts';
import { type LabelFile, planLabelFile } from '../translate/label-file.ts';
import type { StartFailures } from '../view/start-failures.ts';

/** A container's docker command: `create` or `run -d`, then its args; and how its env gets there. */
export interface ContainerCommand {
  argv: string[];
  /** Absent in a pending.json written before env left the argv (its values are in `argv`). */
  env?: EnvDelivery;
  /** The `--label-file` of argv; absent when argv has none (or from a plugin that put probes in `--label`). */
  labels?: LabelFile;
}

/** Where a container's env file is written: the pod's state directory, which no container sees. */
export function envFilePath(stateDir: string, podUid: string, role: string, container: string): string {
  return podEnvFile(stateDir, podUid, role, container);
}

/**
 * Runs the command and answers the new container's id; the env and label files are written just
 * before and removed right after, whatever happens.
 */
export async function runContainerCommand(
  engine: Pick<Engine, 'makeContainer' | 'environmentNames' | 'traits' | 'containerIdByName'>,
  command: ContainerCommand,
  /** Told why a `run -d` made a container it could not start, where the engine keeps no reason (Podman). */
  startFailures?: Pick<StartFailures, 'note'>,
): Promise<string> {
  const env = command.env;
  const file = env?.file;
  const cliEnv = env && Object.keys(env.cliEnv).length > 0 ? env.cliEnv : undefined;
  if (cliEnv) {
    // Planned against the same environment; a name the CLI already has would steer it, never a pod.
    const taken = Object.keys(cliEnv).filter((n) => engine.environmentNames().has(n));
    if (taken.length > 0) throw new Error(`env ${taken.join(', ')} would override the docker CLI's own`);
  }
  const files = [file, command.labels].filter((f): f is { path: string; text: string } => f !== undefined);
  try {
    for (const f of files) await writePrivateFile(f.path, f.text);
    return await engine.makeContainer(command.argv, cliEnv);
  } catch (err) {
    if (startFailures && err instanceof DockerCliError && !engine.traits.keepsStartErrors) {
      const name = command.argv[command.argv.indexOf('--name') + 1];
      const id = command.argv.includes('--name') && name ? await engine.containerIdByName(name) : undefined;
      if (id) startFailures.note(id, startFailureOf(err.stderr));
    }
    throw err;
  } finally {
    for (const f of files) await fs.rm(f.path, { force: true });
  }
}

/** Written fresh (a crash may have left one), never through a link, readable by the plugin's user only. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await fs.rm(path, { force: true });
  const handle = await fs.open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A command kept by a plugin from before env left the argv (`--env NAME=VALUE` in it): its
 * variables moved to an env file at `filePath` or the CLI's environment. One env-delivery.ts
 * refuses stays where it was, as that plugin accepted it.
 */
export function withoutEnvValues(command: ContainerCommand, filePath: string): ContainerCommand {
  if (command.env) return command;
  const end = command.argv.indexOf('--');
  const head = end < 0 ? command.argv : command.argv.slice(0, end);
  const kept: string[] = [];
  const env: Array<[string, string]> = [];
  for (let i = 0; i < head.length; i++) {
    const a = head[i] as string;
    const value = head[i + 1];
    const eq = value?.indexOf('=') ?? -1;
    if ((a === '--env' || a === '-e') && value !== undefined && eq > 0) {
      env.push([value.slice(0, eq), value.slice(eq + 1)]);
      i++;
    } else kept.push(a);
  }
  if (env.length === 0) return { ...command, env: { args: [], cliEnv: {} } };
  try {
    const delivery = planEnvDelivery(env, filePath, new Set());
    const rest = end < 0 ? [] : command.argv.slice(end);
    return { ...command, argv: [...kept, ...delivery.args, ...rest], env: delivery };
  } catch {
    return command;
  }
}

/**
 * A command kept by a plugin from before probes left the argv (`--label <probes key>=<JSON>` in
 * it): that label moved to a label file at `filePath`, its blank `--label <key>=` dropped too, as
 * it would win over the file. One the file cannot carry stays where it was, as that plugin accepted it.
 */
export function withoutProbeLabels(command: ContainerCommand, filePath: string): ContainerCommand {
  if (command.labels || command.argv.includes('--label-file')) return command;
  const end = command.argv.indexOf('--');
  const head = end < 0 ? command.argv : command.argv.slice(0, end);
  const prefix = `${LABEL.probes}=`;
  const kept: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < head.length; i++) {
    const a = head[i] as string;
    const next = head[i + 1];
    if (a === '--label' && next?.startsWith(prefix)) {
      // The last one given wins in the CLI: keep its value.
      value = next.slice(prefix.length);
      i++;
    } else kept.push(a);
  }
  if (!value) return command;
  try {
    const labels = planLabelFile([[LABEL.probes, value]], filePath);
    if (!labels) return command;
    const rest = end < 0 ? [] : command.argv.slice(end);
    return { ...command, argv: [...kept, '--label-file', labels.path, ...rest], labels };
  } catch {
    return command;
  }
}
