/**
 * An in-memory stand-in for an interLink plugin, for testing the conformance kit without Docker. It
 * "runs" a container by reading its command: `echo` words become the log, `exit N` the exit code, the
 * rest is ignored; init containers take turns, then the main ones run together, RUN_MS each. The
 * broken stubs beside it are this fake with one flaw (see Flaws), so each test shows the kit catching it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Container,
  ContainerStatus,
  Pod,
  PodStatus,
  RetrievedPodData,
} from '../../../src/contract/api-types.ts';

const RUN_MS = 150;

export interface Flaws {
  /** Rewrites the CreateStruct before it is sent. */
  createAnswer?: (answer: { PodUID: string; PodJID: string }) => unknown;
  /** Rewrites the status answer (an array of PodStatus) before it is sent. */
  statusAnswer?: (entries: PodStatus[]) => unknown;
  /** Only the first spec container is run, reported and given logs. */
  firstContainerOnly?: boolean;
  /** Every exit code is reported as 0. */
  ignoreExitCodes?: boolean;
  /** GET bodies are thrown away, as some frameworks do: every /status is the ping, /getLogs has no body. */
  dropGetBodies?: boolean;
  /** After an init container fails, the ones after it stay waiting (the VK then waits for ever). */
  leaveWaitingAfterInitFailure?: boolean;
  /**
   * Reports every container of the pod in the status request, the ones never sent to /create (partial
   * offload keeps them in the cluster) as gone: terminated, 137, ContainerStatusUnknown.
   */
  reportClusterContainersGone?: boolean;
  /** Replaces the ping's resources. */
  pingResources?: Record<string, string>;
  /** Sent in the ping answer. */
  pingTaints?: Array<{ key: string; value?: string; effect: string }>;
}

interface Ran {
  name: string;
  image: string;
  start: number;
  end: number;
  exitCode: number;
  log: string;
  /** Never started because an init container before it failed. */
  skipped: boolean;
}

interface FakePod {
  pod: Pod;
  jid: string;
  inits: Ran[];
  mains: Ran[];
}

/** `echo` words and `exit N` out of a container's argv; anything else is ignored. */
export function fakeRun(c: Container): { log: string; exitCode: number } {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  if (argv[0] === 'echo') return { log: `${argv.slice(1).join(' ')}\n`, exitCode: 0 };
  if (argv[0] !== 'sh' || argv[1] !== '-c') return { log: '', exitCode: 0 };
  let log = '';
  for (const statement of (argv[2] ?? '').split(/[;\n]/)) {
    const s = statement.trim();
    const echo = /^echo (.*)$/.exec(s);
    if (echo) log += `${(echo[1] as string).replace(/^(['"])(.*)\1$/, '$2')}\n`;
    const exit = /^exit (\d+)$/.exec(s);
    if (exit) return { log, exitCode: Number(exit[1]) };
  }
  return { log, exitCode: 0 };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function error(res: ServerResponse, status: number, message: string): void {
  json(res, status, { status, error: message });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `initFailed`: an init container before this one has failed by now. */
function containerStatus(r: Ran, now: number, flaws: Flaws, initFailed: boolean): ContainerStatus {
  const base = { name: r.name, ready: false, restartCount: 0, image: r.image, imageID: '' };
  if (r.skipped && initFailed && !flaws.leaveWaitingAfterInitFailure) {
    return { ...base, state: { terminated: { exitCode: 1, reason: 'InitContainerFailed' } } };
  }
  if (r.skipped || now < r.start) return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
  if (now < r.end) return { ...base, ready: true, state: { running: { startedAt: iso(r.start) } } };
  const exitCode = flaws.ignoreExitCodes ? 0 : r.exitCode;
  return {
    ...base,
    state: {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: iso(r.start),
        finishedAt: iso(r.end),
      },
    },
  };
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakePlugin(
  flaws: Flaws = {},
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const pods = new Map<string, FakePod>();

  const create = (data: RetrievedPodData): FakePod => {
    const now = Date.now();
    const spec = data.pod.spec;
    let at = now;
    let failed = false;
    const inits = (spec?.initContainers ?? []).map((c): Ran => {
      const run = fakeRun(c);
      const ran = { name: c.name, image: c.image, start: at, end: at + RUN_MS, ...run, skipped: failed };
      if (!failed) at += RUN_MS;
      if (run.exitCode !== 0) failed = true;
      return ran;
    });
    const mains = (
      flaws.firstContainerOnly ? (spec?.containers ?? []).slice(0, 1) : (spec?.containers ?? [])
    ).map(
      (c): Ran => ({
        name: c.name,
        image: c.image,
        start: at,
        end: at + RUN_MS,
        ...fakeRun(c),
        skipped: failed,
      }),
    );
    return { pod: data.pod, jid: randomUUID().slice(0, 12), inits, mains };
  };

  const statusOf = (p: FakePod, asked: Pod): PodStatus => {
    const now = Date.now();
    const initFailed = p.inits.some((r) => !r.skipped && r.exitCode !== 0 && now >= r.end);
    const gone = (ran: Ran[], spec: Container[] | null | undefined): ContainerStatus[] =>
      flaws.reportClusterContainersGone
        ? (spec ?? [])
            .filter((c) => !ran.some((r) => r.name === c.name))
            .map((c) => ({
              name: c.name,
              ready: false,
              restartCount: 0,
              image: c.image,
              imageID: '',
              state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } },
            }))
        : [];
    return {
      name: p.pod.metadata.name,
      UID: p.pod.metadata.uid,
      namespace: p.pod.metadata.namespace ?? 'default',
      JID: p.jid,
      containers: [
        ...p.mains.map((r) => containerStatus(r, now, flaws, initFailed)),
        ...gone(p.mains, asked.spec?.containers),
      ],
      initContainers: [
        ...p.inits.map((r) => containerStatus(r, now, flaws, initFailed)),
        ...gone(p.inits, asked.spec?.initContainers),
      ],
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const body = flaws.dropGetBodies && req.method === 'GET' ? '' : raw;
    let value: unknown;
    try {
      value = body === '' ? null : JSON.parse(body);
    } catch {
      return error(res, 422, 'the body is not JSON');
    }
    const route = `${req.method} ${req.url}`;
    if (route === 'POST /create') {
      const data = value as RetrievedPodData;
      const uid = data?.pod?.metadata?.uid;
      if (!uid) return error(res, 422, 'pod.metadata.uid is required');
      if (!Array.isArray(data.pod.spec?.containers))
        return error(res, 422, 'pod.spec.containers must be a list');
      const known = pods.get(uid) ?? create(data);
      pods.set(uid, known);
      const answer = { PodUID: uid, PodJID: known.jid };
      return json(res, 200, flaws.createAnswer ? flaws.createAnswer(answer) : answer);
    }
    if (route === 'POST /delete') {
      const uid = (value as Pod | null)?.metadata?.uid;
      if (!uid) return error(res, 422, 'metadata.uid is required');
      pods.delete(uid);
      return text(res, 200, 'deleted');
    }
    if (route === 'GET /status') {
      const asked = (value as Pod[] | null) ?? [];
      if (asked.length === 0)
        return json(res, 200, {
          status: 'ok',
          resources: flaws.pingResources ?? { cpu: '4', memory: '8Gi', pods: '110' },
          ...(flaws.pingTaints ? { taints: flaws.pingTaints } : {}),
        });
      const entries = asked.flatMap((p) => {
        const known = pods.get(p.metadata.uid);
        return known ? [statusOf(known, p)] : [];
      });
      return json(res, 200, flaws.statusAnswer ? flaws.statusAnswer(entries) : entries);
    }
    if (route === 'GET /getLogs') {
      const ask = value as { PodUID?: string; ContainerName?: string } | null;
      if (!ask?.PodUID || !ask.ContainerName) return error(res, 422, 'PodUID and ContainerName are required');
      const known = pods.get(ask.PodUID);
      const ran = known && [...known.inits, ...known.mains].find((r) => r.name === ask.ContainerName);
      if (!ran) return error(res, 404, `no container ${ask.ContainerName} in pod ${ask.PodUID}`);
      return text(res, 200, ran.skipped || Date.now() < ran.start ? '' : ran.log);
    }
    return error(res, 404, `no route ${route}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, e instanceof Error ? e.message : String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
