/**
 * Which of a pod's Docker containers a log request means: the one it names, or, when the name is
 * empty, the pod's only container (Kubernetes' rule). A container the cluster runs (partial
 * offload) is a 404 that says so; an ambiguous empty name is a 400 that lists the choices.
 */
import type { LogStruct } from '../../contract/api-types.ts';
import { PluginError } from '../../errors.ts';
import { clusterKindOf, runsInClusterMessage } from '../../pod/partial-offload.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import type { PodContainers } from '../view/pod-containers.ts';
import { clusterContainersFromLabels } from './cluster-containers-label.ts';

export interface LogContainer {
  name: string;
  container: ContainerInspect;
}

/** `other` finds containers a log request may name besides the spec's (e.g. a pod's network helper). */
export function logContainer(
  request: LogStruct,
  containers: PodContainers,
  other: (name: string) => ContainerInspect | undefined = () => undefined,
): LogContainer {
  const pod = `${request.Namespace}/${request.PodName}`;
  const choices = () =>
    [
      [...containers.main.keys()].join(', ') || 'none',
      containers.init.size > 0 ? ` (init containers: ${[...containers.init.keys()].join(', ')})` : '',
    ].join('');
  const name = request.ContainerName;
  if (name === '') {
    const [only, ...others] = [...containers.main.entries()];
    if (only && others.length === 0) return { name: only[0], container: only[1] };
    throw new PluginError(
      'malformed',
      `ContainerName is empty and pod ${pod} runs ${containers.main.size} containers here: name one of ${choices()}`,
    );
  }
  const found = containers.main.get(name) ?? containers.init.get(name) ?? other(name);
  if (found) return { name, container: found };
  const kind = clusterKindOf(clusterContainersFromLabels(containers.anchor?.Config.Labels), name);
  if (kind) throw new PluginError('not-found', runsInClusterMessage(pod, name, kind));
  const all = [...containers.init.keys(), ...containers.main.keys()].join(', ');
  throw new PluginError('not-found', `container ${name} is not in pod ${pod} (containers: ${all || 'none'})`);
}
