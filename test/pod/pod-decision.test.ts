/** The pod decision: every Kubernetes rule applied to a /create body, pure, before any Docker argument exists. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RetrievedPodData } from '../../src/contract/api-types.ts';
import { PluginError } from '../../src/errors.ts';
import { decidePod, type HostFacts, type PodRules } from '../../src/pod/pod-decision.ts';
import { imagesNeedingUser } from '../../src/pod/security-context.ts';
import { buildCreateRequest, buildPod } from '../fixtures/pod-builder.ts';

const rules: PodRules = {
  stateDir: mkdtempSync(join(tmpdir(), 'pod-decision-')),
  allowedHostPaths: [],
  instance: 'decision-test',
  podSecurityLevel: 'baseline',
};
const host = (imageUsers: Record<string, string> = {}): HostFacts => ({
  nodeAllocatable: { cpu: 4, memory: 8 * 1024 ** 3 },
  imageUsers: new Map(Object.entries(imageUsers)),
  subPathPins: true,
});
const decide = (data: RetrievedPodData, users?: Record<string, string>) =>
  decidePod(data, rules, host(users));

function refusal(fn: () => unknown): PluginError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PluginError) return err;
    throw err;
  }
  throw new Error('was not refused');
}

describe('decidePod', () => {
  it('expands $(VAR) in the command from the resolved env, and decides what replaces the entrypoint', () => {
    const pod = buildPod({
      name: 'web-1',
      vkEnv: false,
      containers: [
        {
          name: 'app',
          command: ['echo', 'I am $(WHO)'],
          env: [{ name: 'WHO', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
    });
    const [app] = decide(buildCreateRequest(pod)).containers;
    expect(app?.env).toEqual([['WHO', 'web-1']]);
    expect(app?.command).toEqual(['echo', 'I am web-1']);
    expect(app?.entrypoint).toEqual({ entrypoint: 'echo', cmd: ['I am web-1'] });
  });

  it('keeps a container the kubelet would refuse as its config error and decides the rest of the pod', () => {
    const pod = buildPod({
      containers: [
        {
          name: 'broken',
          env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'x' } } }],
        },
        { name: 'fine', command: ['true'] },
      ],
    });
    const [broken, fine] = decide(buildCreateRequest(pod)).containers;
    expect(broken?.configError).toMatchObject({ reason: 'CreateContainerConfigError' });
    expect(broken?.configError?.message).toMatch(/configmap "missing" not found/);
    expect(fine?.configError).toBeUndefined();
    expect(fine?.entrypoint).toEqual({ entrypoint: 'true', cmd: [] });
  });

  it("refuses a runAsNonRoot container whose image runs as root, in the kubelet's words", () => {
    const pod = buildPod({
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'app', image: 'rooted:1', command: ['true'] }],
    });
    const [app] = decide(buildCreateRequest(pod), { 'rooted:1': '' }).containers;
    expect(app?.configError).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)',
    });
  });

  it('gives no runAsNonRoot verdict on an image not present yet (it is pulled at create)', () => {
    const pod = buildPod({
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'app', image: 'elsewhere:1', command: ['true'] }],
    });
    expect(decide(buildCreateRequest(pod)).containers[0]?.configError).toBeUndefined();
  });

  it("keeps the image's user for runAsGroup alone, as the kubelet does", () => {
    const pod = buildPod({
      securityContext: { runAsGroup: 3000, fsGroup: 2000 },
      containers: [{ name: 'app', image: 'named:1', command: ['true'] }],
    });
    const [app] = decide(buildCreateRequest(pod), { 'named:1': 'app:app' }).containers;
    expect(app?.security).toMatchObject({ user: 'app:3000', groups: [2000] });
  });

  it('names each image whose USER must be known once, and only those', () => {
    const pod = buildPod({
      initContainers: [{ name: 'init', image: 'a:1', securityContext: { runAsNonRoot: true } }],
      containers: [
        { name: 'one', image: 'a:1', securityContext: { runAsNonRoot: true } },
        { name: 'two', image: 'b:1', securityContext: { runAsGroup: 5 } },
        { name: 'three', image: 'c:1', securityContext: { runAsUser: 1000, runAsGroup: 5 } },
      ],
    });
    expect(imagesNeedingUser(pod)).toEqual(['a:1', 'b:1']);
  });

  it('refuses a second container of the same name as invalid input that names it', () => {
    const pod = buildPod({
      initContainers: [{ name: 'app' }],
      containers: [{ name: 'app' }],
    });
    const err = refusal(() => decide(buildCreateRequest(pod)));
    expect(err.kind).toBe('invalid');
    expect(err.details).toEqual([
      { field: '/pod/spec/containers/0/name', problem: expect.stringMatching(/used by another container/) },
    ]);
  });

  it('refuses a bad quantity as invalid input naming its field, before anything is spelt', () => {
    const pod = buildPod({ containers: [{ name: 'app', resources: { limits: { cpu: 'lots' } } }] });
    const err = refusal(() => decide(buildCreateRequest(pod)));
    expect(err.kind).toBe('invalid');
    expect(err.details?.[0]?.field).toBe('/pod/spec/containers/0/resources/limits/cpu');
  });

  it('plans the network in the decision: host ports and aliases, and no mesh on the host network', () => {
    const annotations = { 'interlink.eu/wstunnel-client-commands': 'wstunnel client ws://x' };
    const own = buildPod({
      name: 'web',
      annotations,
      containers: [{ name: 'app', ports: [{ containerPort: 80, hostPort: 8080 }] }],
      spec: { hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }] },
    });
    // Host ports and the host's network are for a node that admits them (Pod Security "privileged").
    const privileged = { ...rules, podSecurityLevel: 'privileged' as const };
    const decided = decidePod(buildCreateRequest(own), privileged, host());
    expect(decided.network).toEqual({
      hostNetwork: false,
      hostname: 'web',
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
      hostAliases: [{ hostname: 'db', ip: '10.0.0.1' }],
    });
    expect(decided.networking).toEqual({ kind: 'wstunnel', command: 'wstunnel client ws://x' });

    const onHost = buildPod({
      annotations,
      hostNetwork: true,
      containers: [{ name: 'app', ports: [{ containerPort: 80, hostPort: 8080 }] }],
    });
    const hostDecided = decidePod(buildCreateRequest(onHost), privileged, host());
    expect(hostDecided.network).toMatchObject({ hostNetwork: true, ports: [] });
    expect(hostDecided.networking).toEqual({ kind: 'none' });
  });

  it('gives each container its GPUs by the device manager rules and the pod its admission need', () => {
    const gpus = (n: number) => ({ limits: { 'nvidia.com/gpu': String(n) } });
    const pod = buildPod({
      initContainers: [{ name: 'warm', resources: gpus(2) }],
      containers: [
        { name: 'a', resources: gpus(1) },
        { name: 'b', resources: gpus(2) },
      ],
    });
    expect(decide(buildCreateRequest(pod)).gpus.need).toBe(3);
  });
});
