/**
 * What the Kubernetes API server writes on every object it stores: names, timestamps, resource
 * versions, managedFields; and the ConfigMaps and Secrets it hands the Virtual Kubelet.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConfigMap, Secret } from '../contract/api-types.ts';

/** Fields real objects carry that the contract does not list; a plugin must accept and ignore them. */
export type WireObjectMeta = NonNullable<ConfigMap['metadata']> & {
  resourceVersion?: string;
  creationTimestamp?: string | null;
  managedFields?: Record<string, unknown>[];
};
export type WireConfigMap = ConfigMap & { metadata?: WireObjectMeta };
export type WireSecret = Secret & { metadata?: WireObjectMeta };

/** The letters the API server picks random name suffixes from (no vowels, no look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
let resourceVersion = 160_000 + Math.floor(Math.random() * 10_000);

/** RFC 3339 at second precision, as Kubernetes writes timestamps. */
export function k8sTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A random suffix as the API server appends to `generateName`. */
export function randomSuffix(length: number): string {
  return Array.from(randomBytes(length), (b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

export function nextResourceVersion(): string {
  resourceVersion += 1;
  return String(resourceVersion);
}

/** The managedFields entry `kubectl create` leaves, listing the fields it set. */
export function managedFields(fieldsV1: Record<string, unknown>, time: string): Record<string, unknown>[] {
  return [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time,
      fieldsType: 'FieldsV1',
      fieldsV1,
    },
  ];
}

function storedMeta(name: string, namespace: string, fieldsV1: Record<string, unknown>): WireObjectMeta {
  const created = k8sTime();
  return {
    name,
    namespace,
    uid: randomUUID(),
    resourceVersion: nextResourceVersion(),
    creationTimestamp: created,
    managedFields: managedFields(fieldsV1, created),
  };
}

const dataFields = (data: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}]));

/** A ConfigMap as the API server returns it (with uid, resourceVersion, managedFields). */
export function buildConfigMap(
  name: string,
  data: Record<string, string>,
  namespace = 'default',
): WireConfigMap {
  return { metadata: storedMeta(name, namespace, { 'f:data': dataFields(data) }), data: { ...data } };
}

/**
 * A Secret as the API server returns it: `data` base64-encoded (Go []byte), never stringData.
 * Values given as bytes are taken as they are.
 */
export function buildSecret(
  name: string,
  data: Record<string, string | Uint8Array>,
  namespace = 'default',
  type = 'Opaque',
): WireSecret {
  return {
    metadata: storedMeta(name, namespace, { 'f:data': dataFields(data), 'f:type': {} }),
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    type,
  };
}
