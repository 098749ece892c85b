/**
 * How the Pod Security checks (pod-security.ts) read a pod: the fields the wire's types do not
 * name (hostPID, seLinuxOptions, ephemeralContainers…) read defensively from the JSON, and the
 * API server's way of naming containers and values in a detail.
 */
import type { Pod } from '../contract/api-types.ts';

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
/** A field's value as Go would print the string it decoded ('' when absent). */
export function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

export interface Spec {
  spec: Obj;
  meta: Obj;
  podSc: Obj | undefined;
  /** Init, then main, then ephemeral containers, as visitContainers walks them. */
  containers: Array<{ name: string; raw: Obj; sc: Obj | undefined }>;
}

export function view(pod: Pod): Spec {
  const spec = obj(pod.spec) ?? {};
  const containers = [spec.initContainers, spec.containers, spec.ephemeralContainers]
    .flatMap(list)
    .map(obj)
    .filter((c): c is Obj => c !== undefined)
    .map((raw) => ({ name: text(raw.name), raw, sc: obj(raw.securityContext) }));
  return { spec, meta: obj(pod.metadata) ?? {}, podSc: obj(spec.securityContext), containers };
}

export const joinQuote = (items: readonly string[]) => (items.length === 0 ? '' : `"${items.join('", "')}"`);
export const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
/** Go's sets.List(): unique, sorted by bytes. */
export const sorted = (items: Iterable<string>) => [...new Set(items)].sort();
export const containersNamed = (names: readonly string[]) =>
  `${plural('container', 'containers', names.length)} ${joinQuote(names)}`;
export const isWindows = (s: Spec) => obj(s.spec.os)?.name === 'windows';

export type Check = (s: Spec) => { reason: string; detail: string } | undefined;

/** Containers whose securityContext field `key` is bad, and the pod if its own is (for `pod and containers "a"`). */
export function setters(
  s: Spec,
  key: string,
  bad: (v: Obj) => boolean,
  values?: Set<string>,
  shownValue?: (v: Obj) => string,
) {
  const out: string[] = [];
  const podValue = obj(s.podSc?.[key]);
  if (podValue && bad(podValue)) {
    out.push('pod');
    if (values && shownValue) values.add(shownValue(podValue));
  }
  const names: string[] = [];
  for (const c of s.containers) {
    const v = obj(c.sc?.[key]);
    if (v && bad(v)) {
      names.push(c.name);
      if (values && shownValue) values.add(shownValue(v));
    }
  }
  if (names.length > 0) out.push(containersNamed(names));
  return out;
}
