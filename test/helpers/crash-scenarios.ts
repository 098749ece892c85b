/**
 * Crash-consistency scenarios: a real plugin process killed (SIGKILL) at a named point of create,
 * init sequencing or delete, started again over the same instance and state directory, the call
 * retried as interLink retries it. Every pod is judged from Docker and the disk alone: whole or
 * wholly gone, never in between. Used by test/e2e/crash-consistency.test.ts (a few cases) and
 * `npm run crash-sweep` (many seeded ones).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { allRunning, pollStatus } from '../e2e/poll.ts';
import { buildCreateRequest, buildPod, type CreateObjects, deleteRequest } from '../fixtures/pod-builder.ts';
import { runDocker } from './docker.ts';
import { type RunningPlugin, startPlugin } from './plugin-process.ts';

export interface PodShape {
  pod(): Pod;
  objects?: CreateObjects;
}

const sleeper = (name: string) => ({ name, command: ['sleep', '300'] });

export type ShapeName = 'single' | 'pair' | 'init' | 'memory';

export const SHAPES: Record<ShapeName, PodShape> = {
  single: { pod: () => buildPod({ terminationGracePeriodSeconds: 1, containers: [sleeper('app')] }) },
  pair: {
    pod: () =>
      buildPod({
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [
          { ...sleeper('app'), volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] },
          sleeper('side'),
        ],
      }),
  },
  init: {
    pod: () =>
      buildPod({
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          {
            name: 'first',
            command: ['sh', '-c', 'echo first >> /work/log'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          {
            name: 'second',
            command: ['sh', '-c', 'echo second >> /work/log'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        containers: [sleeper('app'), sleeper('side')],
      }),
  },
  memory: {
    pod: () =>
      buildPod({
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'fast', emptyDir: { medium: 'Memory' } }],
        containers: [
          { ...sleeper('app'), volumeMounts: [{ name: 'fast', mountPath: '/fast' }] },
          sleeper('side'),
        ],
      }),
  },
};

export interface CrashCase {
  shape: ShapeName;
  op: 'create' | 'delete';
  /** A crash point (src/crash-points.ts), with #n for its n-th time. */
  point: string;
}

function needsSandbox(pod: Pod): boolean {
  const spec = pod.spec;
  const memory = (spec?.volumes ?? []).some((v) => v.emptyDir?.medium === 'Memory');
  return (spec?.containers.length ?? 0) + (spec?.initContainers ?? []).length > 1 || memory;
}

/** Every crash point a shape passes on its way through create (init sequencing included) or delete. */
export function crashPointsOf(shape: ShapeName, op: CrashCase['op']): string[] {
  if (op === 'delete') return ['delete:record', 'delete:stopped', 'delete:removed'];
  const pod = SHAPES[shape].pod();
  const inits = (pod.spec?.initContainers ?? []).length;
  const all = inits + (pod.spec?.containers.length ?? 0);
  return [
    'create:record',
    'create:volumes',
    ...(needsSandbox(pod) ? ['create:sandbox'] : []),
    ...Array.from({ length: all }, (_, i) => `create:container#${i + 1}`),
    'create:made',
    'create:recorded',
    // Each init container's start, then the main containers' start.
    ...(inits > 0 ? Array.from({ length: inits + 1 }, (_, i) => `sequence:started#${i + 1}`) : []),
  ];
}

/** Every case there is: each shape through each of its crash points. */
export function allCrashCases(): CrashCase[] {
  return (Object.keys(SHAPES) as ShapeName[]).flatMap((shape) =>
    (['create', 'delete'] as const).flatMap((op) =>
      crashPointsOf(shape, op).map((point) => ({ shape, op, point })),
    ),
  );
}

export type Verdict = { kind: 'whole' | 'gone' } | { kind: 'broken'; why: string };

/** Whole (every container, the sandbox, files and Docker volumes, recorded created) or gone (nothing), from Docker and the disk. */
export async function judgePod(pod: Pod, instance: string, stateDir: string): Promise<Verdict> {
  const uid = pod.metadata.uid;
  const { stdout } = await runDocker([
    'ps',
    '-a',
    '--filter',
    `label=${LABEL.owner}=${instance}`,
    '--filter',
    `label=${LABEL.podUid}=${uid}`,
    '--format',
    `{{.Label "${LABEL.role}"}}/{{.Label "${LABEL.containerName}"}}`,
  ]);
  const containers = stdout.split('\n').filter(Boolean).sort();
  const volumes = (await runDocker(['volume', 'ls', '-q', '--filter', `label=${LABEL.podUid}=${uid}`])).stdout
    .split('\n')
    .filter(Boolean);
  const dir = join(stateDir, 'pods', uid);
  const hasDir = existsSync(dir);
  if (containers.length === 0 && volumes.length === 0 && !hasDir) return { kind: 'gone' };
  const want = [
    ...(needsSandbox(pod) ? ['sandbox/'] : []),
    ...(pod.spec?.initContainers ?? []).map((c) => `init/${c.name}`),
    ...(pod.spec?.containers ?? []).map((c) => `main/${c.name}`),
  ].sort();
  const wantVolumes = (pod.spec?.volumes ?? []).filter((v) => v.emptyDir?.medium === 'Memory').length;
  const problems: string[] = [];
  if (containers.join(',') !== want.join(','))
    problems.push(`containers [${containers.join(', ')}], want [${want.join(', ')}]`);
  if (volumes.length !== wantVolumes) problems.push(`${volumes.length} Docker volumes, want ${wantVolumes}`);
  const record = hasDir ? readRecord(join(dir, 'pod.json')) : 'no pod directory';
  if (record !== 'created') problems.push(`record: ${record}`);
  return problems.length === 0 ? { kind: 'whole' } : { kind: 'broken', why: problems.join('; ') };
}

function readRecord(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { phase: string }).phase;
  } catch {
    return 'no record';
  }
}

/** Main containers running and init containers completed: the pod is up, not merely made. */
const up = (s: PodStatus) =>
  allRunning(s) && s.initContainers.every((c) => c.state.terminated?.exitCode === 0);

export interface CaseResult {
  crashCase: CrashCase;
  /** Right after the restart, before the retried call. */
  afterRestart: Verdict;
  /** After the retried call (and, for a create, the pod running). */
  afterRetry: Verdict;
  /** Whether both states are right: whole or gone at restart; whole after a retried create, gone after a retried delete. */
  ok: boolean;
}

async function killedAt(plugin: RunningPlugin, point: string, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([plugin.exited, timeout]);
  clearTimeout(timer);
  // Whatever the plugin had spawned (the events stream) dies with its group.
  await plugin.stop('SIGKILL');
  if (outcome === 'timeout') throw new Error(`the plugin never reached crash point ${point}`);
}

/** Runs one case against real plugins on the real engine; the caller removes what is left (stopAll). */
export async function runCrashCase(crashCase: CrashCase): Promise<CaseResult> {
  const { shape, op, point } = crashCase;
  const pod = SHAPES[shape].pod();
  const body = buildCreateRequest(pod, SHAPES[shape].objects);
  const first = await startPlugin(op === 'create' ? { crashAt: point } : {});
  const { instance, stateDir } = first;
  let crashed = first;
  if (op === 'delete') {
    // The pod is made whole by a plugin that does not crash, then deleted by one that does.
    const res = await first.request('POST', '/create', body);
    if (res.status !== 200) throw new Error(`create answered ${res.status}: ${res.text}`);
    await pollStatus(first, pod, res.json().PodJID, up, 60_000);
    await first.stop('SIGTERM');
    crashed = await startPlugin({ instance, stateDir, crashAt: point });
    await crashed.request('POST', '/delete', deleteRequest(pod)).catch(() => undefined);
  } else {
    await first.request('POST', '/create', body).catch(() => undefined);
  }
  await killedAt(crashed, point);
  const again = await startPlugin({ instance, stateDir });
  const afterRestart = await judgePod(pod, instance, stateDir);
  let afterRetry: Verdict;
  if (op === 'create') {
    const res = await again.request('POST', '/create', body);
    if (res.status !== 200) throw new Error(`retried create answered ${res.status}: ${res.text}`);
    await pollStatus(again, pod, res.json().PodJID, up, 60_000);
    afterRetry = await judgePod(pod, instance, stateDir);
  } else {
    const res = await again.request('POST', '/delete', deleteRequest(pod));
    if (res.status !== 200) throw new Error(`retried delete answered ${res.status}: ${res.text}`);
    afterRetry = await judgePod(pod, instance, stateDir);
  }
  await again.stop('SIGTERM');
  const ok = afterRestart.kind !== 'broken' && afterRetry.kind === (op === 'create' ? 'whole' : 'gone');
  return { crashCase, afterRestart, afterRetry, ok };
}
