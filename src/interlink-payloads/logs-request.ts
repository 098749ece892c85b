/** The GET /getLogs body (Go LogStruct). */
import type { LogOpts, LogStruct, Pod } from '../contract/api-types.ts';
import { UNSET_LOG_OPTS } from '../contract/interlink-wire.ts';

/** Every option present, with Go's zero values unless overridden, as interLink sends it. */
export function logsRequest(pod: Pod, containerName: string, opts: Partial<LogOpts> = {}): LogStruct {
  return {
    Namespace: pod.metadata.namespace ?? 'default',
    PodUID: pod.metadata.uid,
    PodName: pod.metadata.name,
    ContainerName: containerName,
    Opts: { ...UNSET_LOG_OPTS, ...opts },
  };
}
