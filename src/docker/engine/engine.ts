/**
 * The Docker verbs the lifecycle code depends on, as one typed interface (cri-dockerd's libdocker
 * `Interface`): making and removing a pod's containers and volumes, and supervising containers
 * (exec for probes and hooks; stop, start and inspect for a kill). `cliEngine` hands each to its
 * one spelling in docker-verbs.ts; unit tests play them on test/helpers/fake-engine.ts.
 * A verb Docker refuses throws DockerCliError (its stderr says why); a lost engine, any Error.
 */
import type { DockerCli, RunResult } from './docker-cli.ts';
import {
  type ContainerProcess,
  containerExitCode,
  containerIdByName,
  containerProcess,
  createVolume,
  execInContainer,
  listVolumes,
  makeContainer,
  removeContainers,
  removeVolumes,
  startContainers,
  stopContainers,
} from './docker-verbs.ts';
import { ENGINE_TRAITS, type EngineTraits } from './engine-kind.ts';
import { RemovalBatches } from './removal-batches.ts';

export interface Engine {
  /** How this engine differs where the callers must care (engine-kind.ts). */
  readonly traits: EngineTraits;
  /**
   * `docker run -d …` or `docker create …` (argv starts with its verb, as translate/ builds it):
   * the new container's id. `cliEnv`: variables the CLI passes on by name (`--env NAME`).
   */
  makeContainer(argv: readonly string[], cliEnv?: Record<string, string>): Promise<string>;
  /** Names the CLI's own environment holds: a `cliEnv` variable must not take one over. */
  environmentNames(): ReadonlySet<string>;
  /** The id of the container of that name, or undefined when there is none. */
  containerIdByName(name: string): Promise<string | undefined>;
  /** Starts them in one call; throws when any could not start. */
  startContainers(ids: readonly string[]): Promise<void>;
  /** The stop signal, then SIGKILL after `graceSeconds`. */
  stopContainers(ids: readonly string[], graceSeconds: number): Promise<void>;
  /**
   * Kills what runs and removes the containers with their anonymous volumes; removals asked
   * while one runs share the next `docker rm` (removal-batches.ts).
   */
  removeContainers(ids: readonly string[]): Promise<void>;
  /** `docker volume create` with these arguments (options, labels, name). */
  createVolume(args: readonly string[]): Promise<void>;
  removeVolumes(names: readonly string[]): Promise<void>;
  /** Names of the volumes carrying every label given (k=v). */
  listVolumes(labels: readonly string[]): Promise<string[]>;
  /** The main process of a container's current run. */
  containerProcess(id: string): Promise<ContainerProcess>;
  /** The exit code of a container's last run. */
  containerExitCode(id: string): Promise<number>;
  /** Runs a command (an argv, never a shell) in a running container; throws DockerCliError when it exits non-zero. */
  exec(id: string, command: readonly string[], signal: AbortSignal): Promise<RunResult>;
}

/** The Engine over the docker CLI, talking to an engine with these traits (Docker's by default). */
export function cliEngine(docker: DockerCli, traits: EngineTraits = ENGINE_TRAITS.docker): Engine {
  const removals = new RemovalBatches((ids, removed) => removeContainers(docker, ids, removed));
  return {
    traits,
    makeContainer: (argv, cliEnv) => makeContainer(docker, argv, cliEnv),
    environmentNames: () => docker.environmentNames(),
    containerIdByName: (name) => containerIdByName(docker, name),
    startContainers: (ids) => startContainers(docker, ids),
    stopContainers: (ids, graceSeconds) => stopContainers(docker, ids, graceSeconds),
    removeContainers: (ids) => removals.remove(ids),
    createVolume: (args) => createVolume(docker, args),
    removeVolumes: (names) => removeVolumes(docker, names),
    listVolumes: (labels) => listVolumes(docker, labels),
    containerProcess: (id) => containerProcess(docker, id),
    containerExitCode: (id) => containerExitCode(docker, id),
    exec: (id, command, signal) => execInContainer(docker, id, command, signal),
  };
}
