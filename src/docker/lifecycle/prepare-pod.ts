/**
 * A decided pod (pod/pod-decision.ts) made ready to create, spelt by translate/: its network
 * args, its sandbox's mounts, and each container's `docker create` args once the pod's network
 * and the container's GPUs are known, with the env delivery that goes with them (env-delivery.ts:
 * no env value is in the args, the env file lives in the pod's state dir). What Docker or Linux cannot take (a memory limit below Docker's minimum, an argument
 * longer than the kernel allows) is refused here, still before anything exists.
 */
import type { Config } from '../../config/load-config.ts';
import { invalidField } from '../../errors.ts';
import type { ContainerDecision, PodDecision } from '../../pod/pod-decision.ts';
import { checkArgument, checkArgv, checkTotal } from '../engine/argv-limits.ts';
import { gpuArgs } from '../gpu/gpu-args.ts';
import { type PodIdentity, podIdentity } from '../naming.ts';
import { podLabelFile, podTerminationFile } from '../state-dir.ts';
import { type EnvDelivery, EnvDeliveryRefusal, planEnvDelivery } from '../translate/env-delivery.ts';
import { type LabelFile, LabelFileRefusal, planLabelFile } from '../translate/label-file.ts';
import {
  containerCreateArgs,
  containerFileLabels,
  type PodNetwork,
  podNetworkArgs,
  sandboxRunArgs,
} from '../translate/pod-to-docker-args.ts';
import { resourceArgs } from '../translate/resource-args.ts';
import { securityArgs } from '../translate/security-args.ts';
import { mountArgsFor, sandboxMountArgs, terminationMountArgs } from '../volumes/volume-mounts.ts';
import { envFilePath } from './container-command.ts';

export interface PreparedContainer {
  name: string;
  image: string;
  role: 'init' | 'main';
  pullPolicy: ContainerDecision['pullPolicy'];
  /** Its share of the pod's admitted GPUs, as the decision placed it. */
  gpus: ContainerDecision['gpus'];
  /** `docker create` / `docker run -d` args (after the verb) once the pod's network and the container's GPUs are known. */
  createArgs(network: PodNetwork, gpus?: readonly string[]): string[];
  /** The env file and CLI environment that go with those args: no env value is in them. */
  env: EnvDelivery;
  /** The label file that goes with those args (probes and hooks), when they have one. */
  labelFile?: LabelFile;
  /** The host file those args bind at its terminationMessagePath, to be made empty before create. */
  terminationFile?: string;
  /** Set when kubelet would refuse to create this container. */
  configError?: { reason: string; message: string };
}

export interface PreparedPod {
  identity: PodIdentity;
  decision: PodDecision;
  containers: PreparedContainer[];
  /** The sandbox's mounts (Memory emptyDirs): a pod with any needs a sandbox to keep them. */
  sandboxMounts: readonly string[];
  /** `docker run -d` args of the pod's sandbox, from this image, with these args added. */
  sandboxArgs(image: string, extraArgs: readonly string[]): string[];
}

export interface DockerSide {
  /** The names the docker CLI's environment already has: a pod's variable never goes there under one. */
  cliEnvNames?: ReadonlySet<string>;
}

export function preparePod(
  decision: PodDecision,
  config: Pick<Config, 'instance' | 'gpuMode' | 'stateDir'>,
  docker: DockerSide = {},
): PreparedPod {
  const { pod, volumes, cluster } = decision;
  const identity = podIdentity(pod);
  const podNetwork = podNetworkArgs(decision.network);
  checkArgv('/pod/spec', podNetwork, 'hostAliases and hostPorts');
  const containers = decision.containers.map((c): PreparedContainer => {
    const { field } = c;
    const terminationFile = podTerminationFile(config.stateDir, identity.uid, c.role, c.name);
    const terminationMount = terminationMountArgs(volumes, c.name, terminationFile, c.termination.path);
    const extraArgs = [
      ...resourceArgs(c.resources, field),
      ...securityArgs(c.security),
      ...mountArgsFor(volumes, c.name),
      ...terminationMount,
    ];
    const base = {
      name: c.name,
      image: c.image,
      role: c.role,
      pullPolicy: c.pullPolicy,
      gpus: c.gpus,
      env: { args: [], cliEnv: {} },
    };
    if (c.configError) return { ...base, createArgs: () => [], configError: c.configError };
    // Values resolved from configMaps and secrets, or grown by $(VAR) expansion, are checked as
    // the container's first process gets them from execve.
    const envStrings = c.env.map(([name, value]) => `${name}=${value}`);
    for (const [i, s] of envStrings.entries())
      checkArgument(
        `${field}/env`,
        s,
        `variable ${c.env[i]?.[0]}`,
        "as a variable of the container's environment",
      );
    for (const [i, word] of c.command.entries()) checkArgument(`${field}/command/${i}`, word);
    for (const [i, word] of c.args.entries()) checkArgument(`${field}/args/${i}`, word);
    checkTotal(field, [...envStrings, ...c.command, ...c.args], "the container's env, command and args");
    const delivery = deliverEnv(
      c.env,
      envFilePath(config.stateDir, identity.uid, c.role, c.name),
      docker.cliEnvNames ?? new Set(),
      field,
    );
    const labelPath = podLabelFile(config.stateDir, identity.uid, c.role, c.name);
    const labelFile = deliverLabels(containerFileLabels(c), labelPath, field);
    const createArgs = (network: PodNetwork, devices: readonly string[] = []) =>
      containerCreateArgs({
        pod,
        container: c,
        instance: config.instance,
        network,
        envArgs: delivery.args,
        labelFile: labelPath,
        podNetwork,
        cluster,
        extraArgs: [...extraArgs, ...gpuArgs(config.gpuMode, devices)],
      });
    // Whichever way it joins the pod's network, its whole command must fit what Linux takes, with
    // the variables that ride in the CLI's environment.
    const argv = createArgs({ kind: 'own' });
    checkArgv(field, argv, 'command, args, mounts');
    const cliEnv = Object.entries(delivery.cliEnv).map(([n, v]) => `${n}=${v}`);
    checkTotal(field, [...argv, ...cliEnv], 'the docker command and the env it carries');
    return {
      ...base,
      createArgs,
      env: delivery,
      ...(labelFile ? { labelFile } : {}),
      ...(terminationMount.length > 0 ? { terminationFile } : {}),
    };
  });
  return {
    identity,
    decision,
    containers,
    sandboxMounts: sandboxMountArgs(volumes),
    sandboxArgs: (image, extraArgs) =>
      sandboxRunArgs({ pod, instance: config.instance, image, podNetwork, cluster, extraArgs }),
  };
}

/** The container's env as env-delivery.ts hands it to Docker; a variable it cannot hand over is invalid input. */
function deliverEnv(
  env: ReadonlyArray<readonly [string, string]>,
  filePath: string,
  cliEnvNames: ReadonlySet<string>,
  field: string,
): EnvDelivery {
  try {
    return planEnvDelivery(env, filePath, cliEnvNames);
  } catch (err) {
    if (err instanceof EnvDeliveryRefusal) throw invalidField(`${field}/env`, err.message);
    throw err;
  }
}

/** The container's label file (label-file.ts); a label it cannot carry is invalid input. */
function deliverLabels(
  labels: ReadonlyArray<readonly [string, string]>,
  filePath: string,
  field: string,
): LabelFile | undefined {
  try {
    return planLabelFile(labels, filePath);
  } catch (err) {
    if (err instanceof LabelFileRefusal)
      throw invalidField(
        field,
        `its probes and lifecycle hooks, as JSON: ${err.problem}, which the docker CLI's label file cannot carry`,
      );
    throw err;
  }
}
