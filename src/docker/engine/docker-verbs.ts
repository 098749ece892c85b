/**
 * Every Docker verb the plugin uses, each spelt once over the CLI runner (as cri-dockerd's
 * libdocker names every call the shim makes): ps, inspect, create/run, start, stop, update, rm,
 * exec, logs, pull, import, version, info, image inspect, network inspect, volume ls/rm and
 * events. Nothing else in src/ runs docker. The arguments of a container's create/run are
 * built by translate/ (and network/ for the helpers), those of logs by containers/container-logs.ts.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { DockerCli, RunResult } from './docker-cli.ts';
import type { ContainerInspect } from './inspect-types.ts';
import { pullFailure } from './pull-failure.ts';

/** The parts of `docker info` the plugin reads. */
export interface EngineInfo {
  NCPU: number;
  MemTotal: number;
  ServerVersion: string;
  /** The engine host's name: each pod status's nodeName. */
  Name?: string;
  /** cgroupfs or systemd. */
  CgroupDriver?: string;
  /** "1" or "2". */
  CgroupVersion?: string;
  KernelVersion?: string;
  /** e.g. "name=seccomp,profile=default"; "name=rootless" when the engine runs unprivileged. */
  SecurityOptions?: string[] | null;
}

/** What a kill needs to know of a container's current run. */
export interface ContainerProcess {
  /** 0 when it does not run. */
  pid: number;
  startedAt: string;
  /** The image's stop signal as Docker reports it ("SIGQUIT", "3", or empty). */
  stopSignal: string;
}

/** `docker ps -a` of every container carrying `label` (k=v): id → state (running, exited...). */
export async function listContainers(docker: DockerCli, label: string): Promise<Map<string, string>> {
  const { stdout } = await docker.run([
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=${label}`,
    '--format',
    '{{.ID}}\t{{.State}}',
  ]);
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string]),
  );
}

/**
 * `docker container inspect` of many containers at once. When some are gone Docker prints the
 * others and fails: those are returned; it throws only when it printed nothing.
 */
export async function inspectContainers(
  docker: DockerCli,
  ids: readonly string[],
): Promise<ContainerInspect[]> {
  try {
    const { stdout } = await docker.run(['container', 'inspect', ...ids]);
    return JSON.parse(stdout) as ContainerInspect[];
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout) as ContainerInspect[];
    throw err;
  }
}

/**
 * `docker container inspect` of containers some of which may be gone meanwhile: those still there.
 * When Docker printed nothing for the lot, each is read on its own.
 */
export async function inspectPresent(docker: DockerCli, ids: readonly string[]): Promise<ContainerInspect[]> {
  if (ids.length === 0) return [];
  try {
    return await inspectContainers(docker, ids);
  } catch {
    if (ids.length === 1) return [];
    return (await Promise.all(ids.map((id) => inspectPresent(docker, [id])))).flat();
  }
}

/** One container's fields through a Go template: the one spelling of a formatted `container inspect`. */
async function inspectContainerFormat(docker: DockerCli, ref: string, format: string): Promise<string> {
  return (await docker.run(['container', 'inspect', '--format', format, ref])).stdout.trim();
}

/** The id of the container of that name, or undefined when there is none. */
export async function containerIdByName(docker: DockerCli, name: string): Promise<string | undefined> {
  try {
    return (await inspectContainerFormat(docker, name, '{{.Id}}')) || undefined;
  } catch {
    return undefined;
  }
}

/** The main process of a container's current run. */
export async function containerProcess(docker: DockerCli, id: string): Promise<ContainerProcess> {
  const stdout = await inspectContainerFormat(
    docker,
    id,
    '{{.State.Pid}} {{.State.StartedAt}} {{json .Config.StopSignal}}',
  );
  const [pidText, startedAt, stopSignalJson] = stdout.split(' ');
  return {
    pid: Number(pidText),
    startedAt: startedAt ?? '',
    stopSignal: JSON.parse(stopSignalJson ?? '""') as string,
  };
}

/** The exit code of a container's last run. */
export async function containerExitCode(docker: DockerCli, id: string): Promise<number> {
  return Number(await inspectContainerFormat(docker, id, '{{.State.ExitCode}}'));
}

/**
 * `docker create` or `docker run -d` with the argv that translate/ built, its verb first (Docker
 * takes the same arguments after either); answers the new container's id. `cliEnv`: variables the
 * CLI passes on by name (`--env NAME`), so their values never appear in the argv.
 */
export async function makeContainer(
  docker: DockerCli,
  argv: readonly string[],
  cliEnv?: Record<string, string>,
): Promise<string> {
  return (await docker.run(argv, cliEnv ? { env: cliEnv } : {})).stdout.trim();
}

/** What the kubelet keeps of a probe's or hook's output (its maxReadLength): the container chooses how much it prints. */
export const EXEC_OUTPUT_KEPT = 10 * 1024;

/** `docker exec` of a command in a running container; throws DockerCliError when it exits non-zero. */
export function execInContainer(
  docker: DockerCli,
  id: string,
  command: readonly string[],
  signal: AbortSignal,
): Promise<RunResult> {
  return docker.run(['exec', id, ...command], { signal, maxOutputBytes: EXEC_OUTPUT_KEPT });
}

/** A `docker logs` process with the options container-logs.ts built (the container last); the caller owns it. */
export function containerLogs(docker: DockerCli, options: readonly string[]): ChildProcessWithoutNullStreams {
  return docker.spawn(['logs', ...options], { brief: !options.includes('--follow') });
}

/**
 * The last `lines` lines a container wrote, with Docker's timestamps: stdout and stderr as Docker
 * keeps them; only those Docker took in until `untilMs` when given.
 */
export async function containerLogTail(
  docker: DockerCli,
  id: string,
  lines: number,
  untilMs?: number,
): Promise<RunResult> {
  const until = untilMs !== undefined ? ['--until', new Date(untilMs).toISOString()] : [];
  return docker.run(['logs', '--timestamps', '--tail', String(lines), ...until, id]);
}

/** `docker start` of several containers in one call; throws when any could not start. */
export async function startContainers(docker: DockerCli, ids: readonly string[]): Promise<void> {
  await docker.run(['start', ...ids]);
}

/** `docker stop`: the stop signal, then SIGKILL after `graceSeconds`. */
export async function stopContainers(
  docker: DockerCli,
  ids: readonly string[],
  graceSeconds: number,
): Promise<void> {
  // Docker waits out the grace period before its SIGKILL: the call's timeout comes on top of it.
  await docker.run(['stop', '--time', String(graceSeconds), ...ids], {
    timeoutMs: docker.timeoutFor(['stop']) + graceSeconds * 1000,
  });
}

/** `docker update --restart`: a running container's restart policy, changed in place. */
export async function setRestartPolicy(docker: DockerCli, id: string, policy: string): Promise<void> {
  await docker.run(['update', '--restart', policy, id]);
}

/** `docker network inspect`, one JSON object per network found; throws when one is missing. */
export async function inspectNetworks(docker: DockerCli, names: readonly string[]): Promise<unknown[]> {
  const { stdout } = await docker.run(['network', 'inspect', '--format', '{{json .}}', ...names]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

/**
 * `docker rm --force --volumes`: kills what runs and removes the containers with their anonymous
 * volumes. Its stdout names each container removed, one a line (also when others failed), as it
 * goes: Docker's CLI prints each one as soon as it and those named before it are removed.
 * `removed` is told each name as its line comes.
 */
export function removeContainers(
  docker: DockerCli,
  ids: readonly string[],
  removed?: (id: string) => void,
): Promise<RunResult> {
  let partial = '';
  const onStdout = removed
    ? (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) removed(line.trim());
      }
    : undefined;
  return docker.run(['rm', '--force', '--volumes', ...ids], onStdout ? { onStdout } : {});
}

/** `docker volume create ARGS` (its options, labels and name). */
export async function createVolume(docker: DockerCli, args: readonly string[]): Promise<void> {
  await docker.run(['volume', 'create', ...args]);
}

/** `docker volume rm --force` of named volumes. */
export async function removeVolumes(docker: DockerCli, names: readonly string[]): Promise<void> {
  await docker.run(['volume', 'rm', '--force', ...names]);
}

/** Names of the Docker volumes carrying every label given (k=v). */
export async function listVolumes(docker: DockerCli, labels: readonly string[]): Promise<string[]> {
  const filters = labels.flatMap((l) => ['--filter', `label=${l}`]);
  const { stdout } = await docker.run(['volume', 'ls', '--quiet', ...filters]);
  return stdout.split('\n').filter(Boolean);
}

/** `docker info`; throws when the engine reports errors of its own. */
export async function engineInfo(docker: DockerCli): Promise<EngineInfo> {
  const { stdout } = await docker.run(['info', '--format', '{{json .}}']);
  const parsed = JSON.parse(stdout) as EngineInfo & { ServerErrors?: string[] };
  if (parsed.ServerErrors?.length) throw new Error(parsed.ServerErrors.join('; '));
  return parsed;
}

/** `docker version` of the server: the cheapest round trip to the daemon. */
export async function serverVersion(docker: DockerCli): Promise<string> {
  return (await docker.run(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
}

/** `docker version` of the client and the server, as the CLI reports them (which engine answers). */
export async function versionReport(docker: DockerCli): Promise<unknown> {
  return JSON.parse((await docker.run(['version', '--format', '{{json .}}'])).stdout);
}

/**
 * `docker pull`, reporting its last progress line. A pull that hangs is killed after the pull
 * timeout and fails like any other; the error is Docker's own words.
 */
export function pullImage(
  docker: DockerCli,
  image: string,
  progress: (line: string) => void = () => {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = docker.spawn(['pull', '--', image]);
    child.stdin.end();
    let stderr = '';
    const timeoutMs = docker.timeoutFor(['pull']);
    const timer = setTimeout(() => {
      stderr = `not done within ${timeoutMs / 1000} s: the pull was killed`;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    child.once('close', () => clearTimeout(timer));
    child.stdout.on('data', (b: Buffer) => {
      const lines = b
        .toString()
        .split(/[\r\n]+/)
        .map((l) => l.trim())
        .filter(Boolean);
      const last = lines.at(-1);
      if (last) progress(last);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(pullFailure(image, stderr, code)));
    });
  });
}

/** `docker import` of a tar as an image whose entrypoint is `entrypoint`. */
export async function importImage(
  docker: DockerCli,
  tar: Buffer,
  image: string,
  entrypoint: readonly string[],
): Promise<void> {
  await docker.run(['import', '--change', `ENTRYPOINT ${JSON.stringify(entrypoint)}`, '-', image], {
    input: tar,
  });
}

/**
 * Which of `programs` a present image lacks on its PATH: a throwaway container (no network, never a
 * pull) runs `command -v` for each. The names are the plugin's own list, never a pod's text.
 */
export async function programsMissingFromImage(
  docker: DockerCli,
  image: string,
  programs: readonly string[],
): Promise<string[]> {
  const check = 'for p in "$@"; do command -v "$p" >/dev/null 2>&1 || echo "$p"; done';
  const { stdout } = await docker.run([
    'run',
    '--rm',
    '--pull',
    'never',
    '--network',
    'none',
    '--entrypoint',
    'sh',
    image,
    '-c',
    check,
    'sh',
    ...programs,
  ]);
  return stdout.split('\n').filter((p) => programs.includes(p));
}

/** Whether the image is present on this host. */
export function imageExists(docker: DockerCli, image: string): Promise<boolean> {
  return docker.run(['image', 'inspect', '--format', '{{.Id}}', '--', image]).then(
    () => true,
    () => false,
  );
}

/** The user each present image runs as, by repo tag; images not present are left out. */
export async function imageUsers(docker: DockerCli, images: readonly string[]): Promise<Map<string, string>> {
  const users = new Map<string, string>();
  const { stdout } = await docker
    .run(['image', 'inspect', '--format', '{{json .RepoTags}} {{json .Config.User}}', '--', ...images])
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [tags, user] = line.split(' ');
    for (const tag of JSON.parse(tags ?? '[]') as string[]) users.set(tag, JSON.parse(user ?? '""'));
  }
  return users;
}

/** A long-lived `docker events` of the containers carrying `label` (k=v), from `since` on; the caller owns it. */
export function containerEvents(
  docker: DockerCli,
  label: string,
  since: string,
): ChildProcessWithoutNullStreams {
  return docker.spawn([...containerEventsOf(label), '--since', since]);
}

/** `docker events` of the containers carrying `label` (k=v), one JSON line each. */
function containerEventsOf(label: string): string[] {
  return ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', `label=${label}`];
}

/**
 * The past events `actions` (die, oom...) of the containers carrying `label` (k=v), between two
 * times in ms since the epoch, one JSON line each, as the engine kept them (Docker: its last 256
 * events, since the daemon started; Podman: its events log).
 */
export async function pastContainerEvents(
  docker: DockerCli,
  label: string,
  actions: readonly string[],
  sinceMs: number,
  untilMs: number,
): Promise<string[]> {
  const { stdout } = await docker.run([
    ...containerEventsOf(label),
    ...actions.flatMap((a) => ['--filter', `event=${a}`]),
    '--since',
    (sinceMs / 1000).toFixed(3),
    '--until',
    (untilMs / 1000).toFixed(3),
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** `docker context inspect`: where the CLI reaches the engine (DOCKER_HOST or the current context). */
export async function engineEndpoint(docker: DockerCli): Promise<string> {
  return (await docker.run(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'])).stdout.trim();
}
