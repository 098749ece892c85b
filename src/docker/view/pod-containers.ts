/**
 * How a pod's Docker containers line up with its spec: which one is the sandbox, which
 * container each spec entry has, and what should be started next (init containers one at a
 * time, in order, each to exit 0; then every main container). Pure, so it can be tested alone.
 */
import type { Container, Pod } from '../../contract/api-types.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import type { Role } from '../naming.ts';

export interface PodContainers {
  sandbox: ContainerInspect | undefined;
  /** The container that carries the pod-level labels: the sandbox, or a one-container pod's container. */
  anchor: ContainerInspect | undefined;
  init: Map<string, ContainerInspect>;
  main: Map<string, ContainerInspect>;
}

/** In the pod spec's order (the index label): a pod's containers are made at once, so Docker lists them in any order. */
const bySpecOrder = (a: ContainerInspect, b: ContainerInspect) =>
  Number(a.Config.Labels?.[LABEL.index] || 0) - Number(b.Config.Labels?.[LABEL.index] || 0);

export function groupContainers(containers: readonly ContainerInspect[]): PodContainers {
  const out: PodContainers = { sandbox: undefined, anchor: undefined, init: new Map(), main: new Map() };
  for (const c of [...containers].sort(bySpecOrder)) {
    const role = c.Config.Labels?.[LABEL.role] as Role | undefined;
    const name = c.Config.Labels?.[LABEL.containerName] ?? '';
    if (role === 'sandbox') out.sandbox = c;
    else if (role === 'init') out.init.set(name, c);
    else if (role === 'main') out.main.set(name, c);
  }
  out.anchor =
    out.sandbox ??
    containers.find((c) => c.Config.Labels?.[LABEL.restartPolicy] !== undefined) ??
    containers[0];
  return out;
}

/** Created and not yet started: the next `docker start` is ours to make. */
export function neverStarted(c: ContainerInspect): boolean {
  return c.State.Status === 'created' && isZeroTime(c.State.StartedAt) && !startFailed(c);
}

/** Docker tried to start it and could not (command not found...): it stays "created" with an error. */
export function startFailed(c: ContainerInspect): boolean {
  return c.State.Status === 'created' && c.State.Error !== '';
}

/** The init container that failed the pod (exited non-zero and will not be restarted). */
export interface InitFailure {
  name: string;
  exitCode: number;
  finishedAt: string;
}

export type NextStep =
  | { kind: 'start'; ids: string[] }
  | { kind: 'wait' }
  | { kind: 'failed'; failure: InitFailure }
  | { kind: 'done' };

/** What the pod needs next, judged from Docker's state alone (so it survives a plugin restart). */
export function nextStep(pod: Pod, containers: PodContainers): NextStep {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  for (const spec of pod.spec?.initContainers ?? []) {
    const c = containers.init.get(spec.name);
    if (!c) return { kind: 'wait' };
    if (neverStarted(c)) return { kind: 'start', ids: [c.Id] };
    const s = c.State;
    if (s.Status === 'exited' || s.Status === 'dead' || startFailed(c)) {
      if (s.ExitCode === 0) continue;
      if (restartPolicy === 'Never')
        return {
          kind: 'failed',
          failure: { name: spec.name, exitCode: s.ExitCode, finishedAt: s.FinishedAt },
        };
    }
    return { kind: 'wait' };
  }
  const ids = (pod.spec?.containers ?? [])
    .map((spec: Container) => containers.main.get(spec.name))
    .filter((c): c is ContainerInspect => c !== undefined && neverStarted(c))
    .map((c) => c.Id);
  return ids.length > 0 ? { kind: 'start', ids } : { kind: 'done' };
}

/** The pod's full container set as its containers' labels record it (undefined on containers made before the label). */
export function recordedContainerSet(
  containers: PodContainers,
): { init: string[]; main: string[] } | undefined {
  const all = [containers.anchor, ...containers.init.values(), ...containers.main.values()];
  for (const c of all) {
    const text = c?.Config.Labels?.[LABEL.podContainers];
    if (!text) continue;
    try {
      const set = JSON.parse(text) as { init?: unknown; main?: unknown };
      const names = (v: unknown) => (Array.isArray(v) ? v.filter((n) => typeof n === 'string') : []);
      return { init: names(set.init), main: names(set.main) };
    } catch {}
  }
  return undefined;
}

/**
 * The pod as far as sequencing needs it, rebuilt from labels alone: init containers in order,
 * main containers, restart policy. Lets the plugin carry on after a restart without the spec.
 * A container the labels' full set names but Docker lacks stays in the shape, so sequencing waits
 * for it rather than skipping an init container that was never made.
 */
export function podShapeFromLabels(uid: string, containers: PodContainers): Pod {
  const byIndex = (m: Map<string, ContainerInspect>) =>
    [...m.entries()]
      .sort(
        ([, a], [, b]) =>
          Number(a.Config.Labels?.[LABEL.index] ?? 0) - Number(b.Config.Labels?.[LABEL.index] ?? 0),
      )
      .map(([name, c]) => ({ name, image: c.Config.Image }));
  const set = recordedContainerSet(containers);
  const listed = (names: string[], m: Map<string, ContainerInspect>) =>
    names.map((name) => ({ name, image: m.get(name)?.Config.Image ?? '' }));
  const labels = containers.anchor?.Config.Labels ?? {};
  const restartPolicy = labels[LABEL.restartPolicy];
  return {
    metadata: { uid, name: labels[LABEL.podName] ?? '', namespace: labels[LABEL.podNamespace] ?? '' },
    spec: {
      initContainers: set ? listed(set.init, containers.init) : byIndex(containers.init),
      containers: set ? listed(set.main, containers.main) : byIndex(containers.main),
      ...(restartPolicy === 'Always' || restartPolicy === 'OnFailure' || restartPolicy === 'Never'
        ? { restartPolicy }
        : {}),
    },
  };
}
