/**
 * Which engine answers the docker CLI: Docker, or Podman through its Docker-compatible socket.
 * Read once at start-up from `docker version` (the server's components name "Podman Engine") and
 * `docker info` (SecurityOptions name `rootless`). Where the engines differ, the rest of the plugin
 * reads one trait of ENGINE_TRAITS, never the engine's name, so every difference is in this table.
 */
import type { DockerCli } from './docker-cli.ts';
import { engineInfo, versionReport } from './docker-verbs.ts';
import { detectRootless } from './rootless-engine.ts';

export type EngineFlavour = 'docker' | 'podman';

/** How an engine behaves where the plugin must care. */
export interface EngineTraits {
  /**
   * Podman refuses to remove a container that others joined (`--network container:`) while they
   * exist ("has dependent containers which must be removed before it"), even with `--force`:
   * a pod's containers go first, then its sandbox. Docker removes them all in one call.
   */
  readonly removesJoinersFirst: boolean;
  /**
   * Docker's daemon starts containers with a restart policy again when it starts (after a reboot).
   * Podman has no daemon doing so: its socket service starts nothing, so the plugin's revival at
   * start-up (lifecycle/pod-revival.ts) is what brings a pod back.
   */
  readonly restartsContainersAtBoot: boolean;
  /**
   * Docker's local driver makes a volume named in `--mount` with its `volume-opt`s (a Memory
   * emptyDir's tmpfs). Podman ignores them there, so the volume would silently be on disk: the
   * plugin makes those volumes first, with `docker volume create`.
   */
  readonly mountMakesVolumeWithOptions: boolean;
  /**
   * The docker CLI checks a `--device` against the server's OS, which Docker's ping names and
   * Podman's does not: against Podman it refuses every `--device` ("unknown server OS"). There a
   * device (the network helper's /dev/net/tun) is bound in read-write with a device cgroup rule.
   */
  readonly cliTakesDevices: boolean;
  /**
   * Docker keeps why a container could not start (its command is not in the image) in its state:
   * State.Error and an exit code. Podman leaves it "created" with neither, and the status would say
   * ContainerCreating for ever: the plugin keeps the reason from the failed start (start-failure.ts).
   */
  readonly keepsStartErrors: boolean;
  /**
   * Docker switches a container's restart policy in place (`docker update --restart`), as the
   * mesh helper's once its mesh is up. Podman 4.3's compat API has no container update: there the
   * plugin restarts a failed helper itself (network/helper-restarts.ts).
   */
  readonly updatesRestartPolicy: boolean;
  /**
   * Docker gives a container the GPUs `--gpus` asks (its device requests), or refuses it. Podman
   * 4.3's compat API drops them and makes the container without: toolkit mode cannot hand out
   * GPUs there (gpu/gpu-mode-fit.ts).
   */
  readonly takesGpuRequests: boolean;
  /**
   * Docker answers a read of past events (`docker events --until`, an exit from before a plugin
   * restart) from its buffer at once. Podman 4.3's compat API reads its events log only while
   * `--until` is ahead of now (one in the past answers nothing): there the read ends a second
   * ahead (view/exit-recall.ts).
   */
  readonly answersPastEventsAtOnce: boolean;
}

export const ENGINE_TRAITS: Readonly<Record<EngineFlavour, EngineTraits>> = {
  docker: {
    removesJoinersFirst: false,
    restartsContainersAtBoot: true,
    mountMakesVolumeWithOptions: true,
    cliTakesDevices: true,
    keepsStartErrors: true,
    updatesRestartPolicy: true,
    takesGpuRequests: true,
    answersPastEventsAtOnce: true,
  },
  podman: {
    removesJoinersFirst: true,
    restartsContainersAtBoot: false,
    mountMakesVolumeWithOptions: false,
    cliTakesDevices: false,
    keepsStartErrors: false,
    updatesRestartPolicy: false,
    takesGpuRequests: false,
    answersPastEventsAtOnce: false,
  },
};

export interface EngineKind {
  flavour: EngineFlavour;
  /** The engine runs as an unprivileged user (rootless Docker or rootless Podman). */
  rootless: boolean;
  /** The server's version (Docker's, or Podman's own). */
  version: string;
  traits: EngineTraits;
}

/** The plugin drives the docker CLI; PLUGIN_DOCKER naming the podman CLI (or podman-docker's shim) is refused. */
export class PodmanCliError extends Error {
  override name = 'PodmanCliError';
  constructor(bin: string) {
    super(
      `"${bin}" is the podman CLI, which the plugin does not drive: keep PLUGIN_DOCKER at the docker CLI and point DOCKER_HOST at Podman's Docker-compatible socket (unix:///run/podman/podman.sock rootful, unix://$XDG_RUNTIME_DIR/podman/podman.sock rootless; see docs/podman.md).`,
    );
  }
}

interface VersionReport {
  Client?: { OsArch?: string } | null;
  Server?: { Version?: string; Components?: Array<{ Name?: string; Version?: string }> | null } | null;
}

/**
 * The engine of a `docker version --format '{{json .}}'` report and `docker info`'s security
 * options. Throws PodmanCliError when the CLI itself is podman's (its report has `OsArch` and no
 * server). Pure.
 */
export function engineKindOf(
  bin: string,
  report: VersionReport,
  securityOptions: readonly string[] | null | undefined,
): EngineKind {
  if (report.Client?.OsArch !== undefined) throw new PodmanCliError(bin);
  const podman = report.Server?.Components?.find((c) => c.Name === 'Podman Engine');
  const flavour: EngineFlavour = podman ? 'podman' : 'docker';
  const rootless = (securityOptions ?? []).some((o) => o.split(',').includes('name=rootless'));
  return {
    flavour,
    rootless,
    version: podman?.Version ?? report.Server?.Version ?? '',
    traits: ENGINE_TRAITS[flavour],
  };
}

/** Asks the engine which it is (two calls, once at start-up). */
export async function detectEngine(docker: DockerCli): Promise<EngineKind> {
  const report = (await versionReport(docker)) as VersionReport;
  if (report.Client?.OsArch !== undefined) throw new PodmanCliError(docker.bin);
  const info = await engineInfo(docker);
  const kind = engineKindOf(docker.bin, report, info.SecurityOptions);
  // Podman 4.3 does not name itself rootless in `docker info`: the owner of its socket says it.
  return kind.rootless ? kind : { ...kind, rootless: (await detectRootless(docker, info)) !== undefined };
}
