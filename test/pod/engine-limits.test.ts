/** Pods asking what a rootless engine cannot do are refused at /create, naming the field and why. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RetrievedPodData } from '../../src/contract/api-types.ts';
import { PluginError } from '../../src/errors.ts';
import type { EngineLimits } from '../../src/pod/engine-limits.ts';
import { decidePod, type PodRules } from '../../src/pod/pod-decision.ts';
import { buildCreateRequest, buildPod, type ContainerInput } from '../fixtures/pod-builder.ts';

const rules: PodRules = {
  stateDir: mkdtempSync(join(tmpdir(), 'engine-limits-')),
  allowedHostPaths: [],
  instance: 'engine-limits-test',
  // hostNetwork and hostPorts pass the Pod Security level only here: the engine is what is tested.
  podSecurityLevel: 'privileged',
};

const ROOTLESS_V1: EngineLimits = {
  noResourceLimits: 'rootless Podman on cgroup v1 has no cgroup to hold the limit',
  lowestHostPort: 1024,
  portsBoundBy: 'rootless Podman (user 1001)',
};

function decide(containers: ContainerInput[], limits: EngineLimits | undefined, hostNetwork = false) {
  const data: RetrievedPodData = buildCreateRequest(buildPod({ containers, hostNetwork }));
  return decidePod(data, rules, {
    nodeAllocatable: { cpu: 2, memory: 4 * 1024 ** 3 },
    imageUsers: new Map(),
    subPathPins: false,
    ...(limits ? { engineLimits: limits } : {}),
  });
}

function refusal(fn: () => unknown): { field: string; problem: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof PluginError && err.kind === 'invalid') return err.details?.[0];
    throw err;
  }
  return undefined;
}

describe('what the engine cannot apply', () => {
  it.each<[string, ContainerInput[], boolean, string | undefined, RegExp | undefined]>([
    [
      'a memory limit',
      [{ name: 'a', resources: { limits: { memory: '64Mi' } } }],
      false,
      '/pod/spec/containers/0/resources/limits/memory',
      /cannot be applied on this node: rootless Podman on cgroup v1/,
    ],
    [
      'a CPU limit of the second container',
      [{ name: 'a' }, { name: 'b', resources: { limits: { cpu: '500m' } } }],
      false,
      '/pod/spec/containers/1/resources/limits/cpu',
      /Remove the cpu limit/,
    ],
    [
      'a host port under 1024',
      [{ name: 'a', ports: [{ containerPort: 8080 }, { containerPort: 80, hostPort: 80 }] }],
      false,
      '/pod/spec/containers/0/ports/1/hostPort',
      /80 cannot be bound .*rootless Podman \(user 1001\) may bind only ports from 1024 up/,
    ],
    [
      'a port under 1024 on the host network',
      [{ name: 'a', ports: [{ containerPort: 443 }] }],
      true,
      '/pod/spec/containers/0/ports/0/containerPort',
      /443 cannot be bound/,
    ],
    [
      'CPU and memory requests (a scheduling matter)',
      [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      false,
      undefined,
      undefined,
    ],
    [
      'a host port from 1024 up',
      [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }],
      false,
      undefined,
      undefined,
    ],
    [
      'a container port under 1024 on its own network',
      [{ name: 'a', ports: [{ containerPort: 80 }] }],
      false,
      undefined,
      undefined,
    ],
  ])('rootless on cgroup v1: %s', (_, containers, hostNetwork, field, problem) => {
    const refused = refusal(() => decide(containers, ROOTLESS_V1, hostNetwork));
    expect(refused?.field).toBe(field);
    if (problem) expect(refused?.problem).toMatch(problem);
  });

  it('refuses nothing of this where the engine can apply it', () => {
    const containers: ContainerInput[] = [
      {
        name: 'a',
        resources: { limits: { memory: '64Mi', cpu: '1' } },
        ports: [{ containerPort: 80, hostPort: 80 }],
      },
    ];
    expect(refusal(() => decide(containers, undefined))).toBeUndefined();
    expect(refusal(() => decide(containers, { lowestHostPort: 0 }))).toBeUndefined();
  });
});
