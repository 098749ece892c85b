/**
 * The Virtual Kubelet's pre-rendering of projected and downwardAPI volumes: interLink sends each as a
 * ConfigMap named after the pod volume in `projectedvolumemaps` (data = path -> content), with secret
 * sources decoded and the service-account token and CA filled in.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Pod, Volume } from '../contract/api-types.ts';
import type { WireConfigMap, WireSecret } from './cluster-objects.ts';

/** What a projected volume may draw on besides the pod itself. */
export interface ProjectionSources {
  configMaps?: WireConfigMap[];
  secrets?: WireSecret[];
  serviceAccount: { token: string; caCrt: string };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT-shaped service-account token for the pod (not signed by anything). */
export function fakeServiceAccountToken(pod: Pod): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', kid: 'test' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = base64url(
    JSON.stringify({
      aud: ['https://kubernetes.default.svc.cluster.local'],
      exp: now + 3607,
      iat: now,
      iss: 'https://kubernetes.default.svc.cluster.local',
      'kubernetes.io': {
        namespace: pod.metadata.namespace,
        pod: { name: pod.metadata.name, uid: pod.metadata.uid },
        serviceaccount: { name: 'default', uid: randomUUID() },
      },
      sub: `system:serviceaccount:${pod.metadata.namespace}:default`,
    }),
  );
  return `${header}.${payload}.${base64url(randomBytes(256))}`;
}

/** A PEM-shaped CA certificate (random bytes, not a certificate). */
export function fakeCaCertificate(): string {
  const body = randomBytes(960).toString('base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Kubernetes' downward API rendering of labels/annotations: sorted `key="value"` lines. */
function formatMetadataMap(map: Record<string, string> | null | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k])}\n`)
    .join('');
}

/** The pod fields a downwardAPI item may name, as the file content Kubernetes writes. */
function downwardValue(pod: Pod, fieldPath: string): string | undefined {
  const m = pod.metadata;
  const table: Record<string, string | undefined> = {
    'metadata.name': m.name,
    'metadata.namespace': m.namespace,
    'metadata.uid': m.uid,
    'metadata.labels': formatMetadataMap(m.labels),
    'metadata.annotations': formatMetadataMap(m.annotations),
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  return table[fieldPath];
}

interface DownwardItem {
  path: string;
  fieldRef?: { fieldPath: string };
}

function renderDownward(pod: Pod, items: unknown, data: Record<string, string>): void {
  for (const item of (items ?? []) as DownwardItem[]) {
    const value = item.fieldRef ? downwardValue(pod, item.fieldRef.fieldPath) : undefined;
    if (value !== undefined) data[item.path] = value;
  }
}

interface KeyItems {
  name?: string;
  items?: { key: string; path: string }[] | null;
}

function renderKeys(source: Record<string, string>, sel: KeyItems, data: Record<string, string>): void {
  if (!sel.items?.length) {
    Object.assign(data, source);
    return;
  }
  for (const item of sel.items) {
    const value = source[item.key];
    if (value !== undefined) data[item.path] = value;
  }
}

/** One projected (or downwardAPI) volume as the VK renders it into `projectedvolumemaps`. */
export function renderProjectedVolume(pod: Pod, volume: Volume, from: ProjectionSources): WireConfigMap {
  const data: Record<string, string> = {};
  if (volume.downwardAPI) renderDownward(pod, volume.downwardAPI.items, data);
  for (const source of (volume.projected?.sources ?? []) as Record<string, unknown>[]) {
    if (source.serviceAccountToken) {
      data[(source.serviceAccountToken as { path: string }).path] = from.serviceAccount.token;
    } else if (source.configMap) {
      const sel = source.configMap as KeyItems;
      if (sel.name === 'kube-root-ca.crt') renderKeys({ 'ca.crt': from.serviceAccount.caCrt }, sel, data);
      else renderKeys(from.configMaps?.find((c) => c.metadata?.name === sel.name)?.data ?? {}, sel, data);
    } else if (source.secret) {
      const sel = source.secret as KeyItems;
      const secret = from.secrets?.find((s) => s.metadata?.name === sel.name);
      const decoded = Object.fromEntries(
        Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
      renderKeys(decoded, sel, data);
    } else if (source.downwardAPI) {
      renderDownward(pod, (source.downwardAPI as { items?: unknown }).items, data);
    }
  }
  return { metadata: { name: volume.name, creationTimestamp: null }, data } as WireConfigMap;
}

/** The VK sends a downwardAPI volume as a projected one with a single downwardAPI source. */
export function downwardApiAsProjected(v: Volume): Volume {
  if (!v.downwardAPI) return v;
  return {
    name: v.name,
    projected: {
      sources: [{ downwardAPI: { items: v.downwardAPI.items ?? [] } }],
      ...(v.downwardAPI.defaultMode != null ? { defaultMode: v.downwardAPI.defaultMode } : {}),
    },
  };
}
