import type {
  CreateStruct,
  Health,
  LogStruct,
  PingResponse,
  Pod,
  PodStatus,
  RetrievedPodData,
} from '../contract/api-types.ts';

/** What the HTTP layer needs of a backend. Docker is the only one today; another would be a new folder. */
export interface Backend {
  /** Creates the pod, or answers the same CreateStruct when this pod UID already exists. */
  create(data: RetrievedPodData): Promise<CreateStruct>;
  /**
   * Stops and removes everything made for the pod; unknown pods are a success. `whileWaiting` runs
   * the part that only waits out the pod's grace period (preStop hooks, SIGTERM to SIGKILL).
   */
  delete(pod: Pod, whileWaiting?: <R>(wait: () => Promise<R>) => Promise<R>): Promise<void>;
  /** One PodStatus per pod the backend knows (or once created); unknown pods are left out. */
  status(pods: Pod[]): Promise<PodStatus[]>;
  /**
   * Optional: the same answer as `status`, as its JSON text (what JSON.stringify of it gives), for
   * a backend that keeps each pod's answer serialised. The /status fast path uses it when given.
   */
  statusText?(pods: Pod[]): Promise<string>;
  /**
   * Optional: the part of a pod that `status` and `statusText` read, a Pod themselves answer alike;
   * a caller may keep it instead of the whole pod (the /status fast path keeps it per body).
   */
  statusPart?(pod: Pod): Pod;
  /** Streams the container's log bytes; the stream ends with the log (or with the container when following). */
  logs(request: LogStruct, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** The node's capacity, for interLink's ping. */
  ping(): Promise<PingResponse>;
  /** Readiness and its reasons. */
  health(): Promise<Health>;
  /** Stops background work (event streams, timers). */
  close(): Promise<void>;
}
