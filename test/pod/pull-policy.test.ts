import { describe, expect, it } from 'vitest';
import { effectivePullPolicy } from '../../src/pod/pull-policy.ts';

describe('image pull policy, with Kubernetes defaults', () => {
  it.each([
    ['busybox', undefined, 'Always'],
    ['busybox:latest', undefined, 'Always'],
    ['busybox:1.36', undefined, 'IfNotPresent'],
    ['registry:5000/team/app', undefined, 'Always'],
    ['registry:5000/team/app:v2', undefined, 'IfNotPresent'],
    ['app@sha256:abcd', undefined, 'IfNotPresent'],
    ['busybox', 'IfNotPresent', 'IfNotPresent'],
    ['busybox:1.36', 'Always', 'Always'],
    ['busybox:1.36', 'Never', 'Never'],
  ] as const)('%s with %s → %s', (image, imagePullPolicy, want) => {
    expect(effectivePullPolicy({ image, ...(imagePullPolicy ? { imagePullPolicy } : {}) })).toBe(want);
  });
});
