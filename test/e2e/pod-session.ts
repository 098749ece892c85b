/**
 * One pod's round trip through a running plugin, the way interLink drives it: create (answer 200
 * with a JobID), poll /status, read logs, delete. Every pod created here is deleted when its test
 * finishes, pass or fail, so a failing test leaves nothing running for the next one.
 */
import { expect, onTestFinished } from 'vitest';
import type { LogOpts, Pod, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import {
  buildCreateRequest,
  type ContainerInput,
  type CreateObjects,
  deleteRequest,
  logsRequest,
} from '../fixtures/pod-builder.ts';
import { dockerPs } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { allTerminated, pollStatus } from './poll.ts';

/** POST /create; expects 200 and returns the JobID. The pod is deleted when the test finishes. */
export async function createPod(
  plugin: RunningPlugin | (() => RunningPlugin),
  pod: Pod,
  objects: CreateObjects = {},
): Promise<string> {
  const current = typeof plugin === 'function' ? plugin : () => plugin;
  onTestFinished(async () => {
    // The plugin may be gone (a restart test): stopAll removes what is left by label.
    await current()
      .request('POST', '/delete', deleteRequest(pod))
      .catch(() => undefined);
  });
  const res = await current().request('POST', '/create', buildCreateRequest(pod, objects));
  expect(res.status, `create answered ${res.status}: ${res.text}`).toBe(200);
  return res.json().PodJID as string;
}

/** GET /getLogs; expects 200 and returns the text. */
export async function logsOf(
  plugin: RunningPlugin,
  pod: Pod,
  container: string,
  opts: Partial<LogOpts> = {},
): Promise<string> {
  const res = await plugin.request('GET', '/getLogs', logsRequest(pod, container, opts));
  expect(res.status, `getLogs ${container} answered ${res.status}: ${res.text}`).toBe(200);
  return res.text;
}

export interface FinishedPod {
  jid: string;
  status: PodStatus;
  /** Each main container's logs, by name. */
  logs: Record<string, string>;
}

/** Creates the pod, waits until every container has terminated and reads every main container's logs. */
export async function runToEnd(
  plugin: RunningPlugin,
  pod: Pod,
  objects: CreateObjects = {},
  timeoutMs = 30_000,
): Promise<FinishedPod> {
  const jid = await createPod(plugin, pod, objects);
  const status = await pollStatus(plugin, pod, jid, allTerminated, timeoutMs);
  const logs: Record<string, string> = {};
  for (const c of pod.spec?.containers ?? []) logs[c.name] = await logsOf(plugin, pod, c.name);
  return { jid, status, logs };
}

/** POST /delete; expects 200 and no container of the pod left in Docker. */
export async function deletePod(plugin: RunningPlugin, pod: Pod, jid?: string): Promise<void> {
  const res = await plugin.request('POST', '/delete', deleteRequest(pod, jid !== undefined ? { jid } : {}));
  expect(res.status, `delete answered ${res.status}: ${res.text}`).toBe(200);
  expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
}

/** The Docker containers of a pod (any state), optionally of one role. */
export function podContainerIds(pod: Pod, role?: 'sandbox' | 'init' | 'main'): Promise<string[]> {
  return dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, ...(role ? [`${LABEL.role}=${role}`] : [])]);
}

/** A container that runs `script` with `sh -c`. */
export const sh = (name: string, script: string, extra: Partial<ContainerInput> = {}): ContainerInput => ({
  name,
  command: ['sh', '-c'],
  args: [script],
  ...extra,
});

export { JSON_ERRORS } from '../helpers/plugin-process.ts';

/** A 4xx answer's JSON Error body (asked for with JSON_ERRORS), with the status checked. */
export function expectRefusal(
  res: { status: number; text: string; json(): unknown },
  status: number,
): { status: number; error: string; details?: { field: string; problem: string }[] } {
  expect(res.status, res.text).toBe(status);
  return res.json() as { status: number; error: string; details?: { field: string; problem: string }[] };
}
