/**
 * A `/getLogs` request answered from the view: the container it means (log-container.ts), the
 * run it asks for, and that run's `docker logs` streamed back (container-logs.ts).
 */
import type { LogStruct } from '../../contract/api-types.ts';
import { PluginError } from '../../errors.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { currentRunSince, dockerLogsArgs, streamLogs } from './container-logs.ts';
import { logContainer } from './log-container.ts';

export interface PodLogsOptions {
  docker: DockerCli;
  view: Pick<PodView, 'ensureFresh' | 'containersOfPod'>;
  /** Resolves once a pod just created is in the view, so a log request right after its create finds it. */
  arrival: (uid: string) => Promise<void> | undefined;
  /** A container the request may name besides the spec's (the pod's network helper), among the pod's. */
  helper: (containers: readonly ContainerInspect[], name: string) => ContainerInspect | undefined;
}

export async function podLogs(
  options: PodLogsOptions,
  request: LogStruct,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const { docker, view } = options;
  await options.arrival(request.PodUID);
  await view.ensureFresh();
  const all = view.containersOfPod(request.PodUID);
  const containers = groupContainers(all);
  if (!containers.anchor) {
    throw new PluginError(
      'not-found',
      `pod ${request.Namespace}/${request.PodName} (uid ${request.PodUID}) is not known to this plugin`,
    );
  }
  const helper = options.helper(all, request.ContainerName);
  const { name, container: c } = logContainer(request, containers, () => helper);
  const opts = request.Opts ?? {};
  if (opts.Previous && c.RestartCount === 0) {
    throw new PluginError(
      'malformed',
      `previous terminated container "${name}" in pod "${request.PodName}" not found`,
    );
  }
  // A network helper's log is every run of it: why the tunnel or mesh keeps restarting matters.
  const since = c === helper ? undefined : currentRunSince(c);
  const args = dockerLogsArgs({ opts, containerId: c.Id, currentRunSince: since });
  return streamLogs(docker, args, opts.Bytes ?? 0, signal);
}
