/**
 * Built from the drifting published plugin spec: snake_case field names (pod_uid, exit_code, ...)
 * that interLink's Go code never reads. `statusOnly` keeps CreateStruct right to reach the status check.
 */
import { startFakePlugin } from './fake-plugin.ts';

const SPECIAL: Record<string, string> = {
  UID: 'pod_uid',
  JID: 'pod_jid',
  PodUID: 'pod_uid',
  PodJID: 'pod_jid',
};

function snakeKey(key: string): string {
  return SPECIAL[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function toSnakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeKey(k), toSnakeCase(v)]));
  }
  return value;
}

export const startSnakeCasePlugin = (options: { statusOnly?: boolean } = {}) =>
  startFakePlugin({
    ...(options.statusOnly ? {} : { createAnswer: toSnakeCase }),
    statusAnswer: toSnakeCase,
  });
