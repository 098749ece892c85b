/**
 * A Backend kept in memory, for testing the HTTP layer without Docker: it remembers the pods it was
 * given, answers their status as Running, serves a fixed log text, and records every call so a test
 * can see what the app handed on. `failWith` makes one method throw, to test the error mapping.
 */
import type { Backend } from '../../src/backend/backend.ts';
import type {
  CreateStruct,
  Health,
  LogStruct,
  PingResponse,
  Pod,
  PodStatus,
  RetrievedPodData,
} from '../../src/contract/api-types.ts';

type Method = Exclude<keyof Backend, 'close'>;

export interface FakeCall {
  method: Method;
  /** What the app passed: the validated body (or nothing for ping and health). */
  arg?: unknown;
}

export const FAKE_PING: PingResponse = {
  status: 'ok',
  resources: { cpu: '4', memory: '8388608Ki', pods: '110' },
};

export class FakeBackend implements Backend {
  readonly calls: FakeCall[] = [];
  readonly pods = new Map<string, Pod>();
  /** The text every /getLogs answers. */
  logText = 'hello from the fake\n';
  /** What /readyz reports. */
  healthAnswer: Health = { status: 'ok', checks: { engine: 'answering' } };
  /** Logs are followed: the stream stays open after logText until the app aborts it. */
  followLogs = false;
  /** The signal of the last logs() call, to see whether the app aborts it. */
  lastLogSignal: AbortSignal | undefined;
  /** While set, creates and deletes wait for it (an overloaded or slow engine). */
  hold: Promise<void> | undefined;
  /** While set, status answers wait for it (polls in flight at once). */
  holdStatus: Promise<void> | undefined;
  private readonly failures = new Map<Method, unknown>();

  /** The next calls of `method` throw `error` (anything: a PluginError, an Error, a string). */
  failWith(method: Method, error: unknown): void {
    this.failures.set(method, error);
  }

  private record(method: Method, arg?: unknown): void {
    this.calls.push(arg === undefined ? { method } : { method, arg });
    if (this.failures.has(method)) throw this.failures.get(method);
  }

  async create(data: RetrievedPodData): Promise<CreateStruct> {
    this.record('create', data);
    await this.hold;
    const uid = data.pod.metadata.uid as string;
    this.pods.set(uid, data.pod);
    return { PodUID: uid, PodJID: `fake-${uid}` };
  }

  async delete(pod: Pod): Promise<void> {
    this.record('delete', pod);
    await this.hold;
    this.pods.delete(pod.metadata.uid as string);
  }

  async status(pods: Pod[]): Promise<PodStatus[]> {
    this.record('status', pods);
    await this.holdStatus;
    return pods.flatMap((p) => {
      const known = this.pods.get(p.metadata.uid as string);
      if (!known) return [];
      return [
        {
          name: known.metadata.name as string,
          UID: known.metadata.uid as string,
          namespace: known.metadata.namespace ?? 'default',
          JID: `fake-${known.metadata.uid}`,
          initContainers: [],
          containers: (known.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          })),
        },
      ];
    });
  }

  async logs(request: LogStruct, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    this.record('logs', request);
    this.lastLogSignal = signal;
    const bytes = new TextEncoder().encode(this.logText);
    const follow = this.followLogs;
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        if (!follow) controller.close();
        else signal.addEventListener('abort', () => controller.close(), { once: true });
      },
    });
  }

  async ping(): Promise<PingResponse> {
    this.record('ping');
    return FAKE_PING;
  }

  async health(): Promise<Health> {
    this.record('health');
    return this.healthAnswer;
  }

  async close(): Promise<void> {}
}
