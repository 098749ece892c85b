/**
 * The Pod Security Standards field by field, with the API server's words (pod-security-admission's
 * policy/check_*.go and their tests are the reference for each detail).
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { PluginError } from '../../src/errors.ts';
import {
  CHECKS,
  checkPodSecurity,
  type PodSecurityLevel,
  podSecurityRefusal,
  podSecurityViolations,
} from '../../src/pod/pod-security.ts';
import { buildPod } from '../fixtures/pod-builder.ts';

type Json = Record<string, unknown>;

/** A pod of one container `app` (plus what `spec` adds), fields the wire's types do not list included. */
function pod(spec: Json = {}, app: Json = {}, annotations?: Record<string, string>): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', ...app }], ...spec },
  } as Pod;
}
const sc = (securityContext: Json) => pod({}, { securityContext });
const podSc = (securityContext: Json) => pod({ securityContext });

/** The refusal's text after the level: `reason (detail), reason (detail)`. */
function refused(p: Pod, level: PodSecurityLevel): string | undefined {
  return podSecurityRefusal(p, level)?.replace(
    /^pods "web" is forbidden: violates PodSecurity "\w+:latest": /,
    '',
  );
}

describe('the baseline level', () => {
  // [field, pod, the API server's reason and detail]
  const rows: Array<[string, Pod, string]> = [
    [
      'securityContext.windowsOptions.hostProcess',
      sc({ windowsOptions: { hostProcess: true } }),
      'hostProcess (container "app" must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    [
      'the pod’s windowsOptions.hostProcess',
      podSc({ windowsOptions: { hostProcess: true } }),
      'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    ['hostNetwork', pod({ hostNetwork: true }), 'host namespaces (hostNetwork=true)'],
    ['hostPID', pod({ hostPID: true }), 'host namespaces (hostPID=true)'],
    ['hostIPC', pod({ hostIPC: true }), 'host namespaces (hostIPC=true)'],
    [
      'all three host namespaces',
      pod({ hostNetwork: true, hostPID: true, hostIPC: true }),
      'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)',
    ],
    [
      'privileged',
      sc({ privileged: true }),
      'privileged (container "app" must not set securityContext.privileged=true)',
    ],
    [
      'a capability beyond the default set',
      sc({ capabilities: { add: ['SYS_ADMIN'] } }),
      'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    [
      'NET_RAW (not in the baseline set)',
      sc({ capabilities: { add: ['NET_RAW', 'CHOWN'] } }),
      'non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add)',
    ],
    [
      'a capability spelt with CAP_ (as Kubernetes compares them)',
      sc({ capabilities: { add: ['CAP_CHOWN'] } }),
      'non-default capabilities (container "app" must not include "CAP_CHOWN" in securityContext.capabilities.add)',
    ],
    [
      'a hostPort',
      pod({}, { ports: [{ containerPort: 80, hostPort: 8080 }] }),
      'hostPort (container "app" uses hostPort 8080)',
    ],
    [
      'hostPorts, sorted as text',
      pod(
        {},
        {
          ports: [
            { containerPort: 80, hostPort: 9000 },
            { containerPort: 81, hostPort: 10000 },
          ],
        },
      ),
      'hostPort (container "app" uses hostPorts 10000, 9000)',
    ],
    [
      'an AppArmor profile of type Unconfined',
      sc({ appArmorProfile: { type: 'Unconfined' } }),
      'forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined")',
    ],
    [
      'the AppArmor annotation unconfined',
      pod({}, {}, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }),
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined"")',
    ],
    [
      'an SELinux type outside the container types',
      sc({ seLinuxOptions: { type: 'spc_t' } }),
      'seLinuxOptions (container "app" set forbidden securityContext.seLinuxOptions: type "spc_t")',
    ],
    [
      'an SELinux user and role on the pod',
      podSc({ seLinuxOptions: { user: 'system_u', role: 'system_r' } }),
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set)',
    ],
    [
      'procMount Unmasked',
      sc({ procMount: 'Unmasked' }),
      'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
    ],
    [
      'procMount Unmasked with hostUsers: false (Docker runs no user namespace: no relaxation)',
      pod({ hostUsers: false }, { securityContext: { procMount: 'Unmasked' } }),
      'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
    ],
    [
      'seccomp Unconfined on the container',
      sc({ seccompProfile: { type: 'Unconfined' } }),
      'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'seccomp Unconfined on the pod and a container',
      pod(
        { securityContext: { seccompProfile: { type: 'Unconfined' } } },
        { securityContext: { seccompProfile: { type: 'Unconfined' } } },
      ),
      'seccompProfile (pod and container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'a sysctl outside the safe set',
      podSc({
        sysctls: [
          { name: 'kernel.msgmax', value: '1' },
          { name: 'net.ipv4.tcp_syncookies', value: '1' },
        ],
      }),
      'forbidden sysctls (kernel.msgmax)',
    ],
    [
      'a probe that names a host (the prober would connect there from the host)',
      pod({}, { livenessProbe: { httpGet: { host: '127.0.0.1', port: 4000, path: '/status' } } }),
      'probe or lifecycle host (container "app" uses probe or lifecycle host "127.0.0.1")',
    ],
    [
      'a lifecycle hook that names a host',
      pod({}, { lifecycle: { preStop: { tcpSocket: { host: '10.0.0.1', port: 22 } } } }),
      'probe or lifecycle host (container "app" uses probe or lifecycle host "10.0.0.1")',
    ],
  ];
  it.each(rows)('refuses %s, in the API server’s words', (_field, p, want) => {
    expect(refused(p, 'baseline')).toBe(want);
    // Restricted is stricter (some baseline checks are replaced by their restricted form).
    expect(podSecurityRefusal(p, 'restricted')).toBeDefined();
    expect(podSecurityRefusal(p, 'privileged')).toBeUndefined();
  });

  // [what, pod]
  const admitted: Array<[string, Pod]> = [
    ['a pod as the API server stores it', buildPod()],
    ['privileged: false', sc({ privileged: false })],
    [
      'capabilities from the default set, and any drop',
      sc({ capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'], drop: ['ALL'] } }),
    ],
    ['hostPort 0', pod({}, { ports: [{ containerPort: 80, hostPort: 0 }] })],
    [
      'AppArmor RuntimeDefault and Localhost',
      sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }),
    ],
    [
      'the AppArmor annotations runtime/default and localhost/*',
      pod(
        {},
        {},
        {
          'container.apparmor.security.beta.kubernetes.io/app': 'localhost/mine',
          'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default',
        },
      ),
    ],
    [
      'SELinux type container_t, with a level',
      sc({ seLinuxOptions: { type: 'container_t', level: 's0:c1' } }),
    ],
    ['procMount Default', sc({ procMount: 'Default' })],
    [
      'seccomp RuntimeDefault and Localhost',
      pod(
        { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        { securityContext: { seccompProfile: { type: 'Localhost' } } },
      ),
    ],
    [
      'the safe sysctls',
      podSc({
        sysctls: [
          { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
          { name: 'net.ipv4.tcp_keepalive_time', value: '60' },
        ],
      }),
    ],
    [
      'a hostPath volume (allowedHostPaths decides)',
      pod({ volumes: [{ name: 'data', hostPath: { path: '/data' } }] }),
    ],
    ['probes without a host', pod({}, { readinessProbe: { httpGet: { port: 80 } } })],
  ];
  it.each(admitted)('admits %s', (_what, p) => {
    expect(podSecurityViolations(p, 'baseline')).toEqual([]);
  });

  it('names every container, init and ephemeral too, in the order the API server visits them', () => {
    const p = pod(
      {
        initContainers: [{ name: 'setup', image: 'x', securityContext: { privileged: true } }],
        ephemeralContainers: [{ name: 'debug', image: 'x', securityContext: { privileged: true } }],
      },
      { securityContext: { privileged: true } },
    );
    expect(refused(p, 'baseline')).toBe(
      'privileged (containers "setup", "app", "debug" must not set securityContext.privileged=true)',
    );
  });

  it('puts every violation in one sentence, in the API server’s check order', () => {
    const p = pod(
      { hostNetwork: true, hostPID: true },
      {
        securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
        ports: [{ containerPort: 80, hostPort: 80 }],
      },
    );
    expect(podSecurityRefusal(p, 'baseline')).toBe(
      'pods "web" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPort (container "app" uses hostPort 80), privileged (container "app" must not set securityContext.privileged=true)',
    );
  });

  it('refuses as forbidden (403 at the HTTP layer) with the sentence', () => {
    let err: unknown;
    try {
      checkPodSecurity(sc({ privileged: true }), 'baseline');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).kind).toBe('forbidden');
    expect((err as PluginError).message).toContain('violates PodSecurity "baseline:latest": privileged');
    expect(() => checkPodSecurity(sc({ privileged: true }), 'privileged')).not.toThrow();
  });

  it('keeps the API server’s order: baseline checks by ID, then restricted ones by ID', () => {
    const ids = (level: string) => CHECKS.filter((c) => c.level === level).map((c) => c.id);
    const byteOrder = (a: string[]) => [...a].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(ids('baseline')).toEqual(byteOrder(ids('baseline')));
    expect(ids('restricted')).toEqual(byteOrder(ids('restricted')));
  });
});

/** A pod that meets the restricted level, for rows that break one field of it. */
const RESTRICTED_SC = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
  capabilities: { drop: ['ALL'] },
};
const restricted = (extra: Json = {}, spec: Json = {}) =>
  pod(spec, { securityContext: { ...RESTRICTED_SC, ...extra } });

describe('the restricted level', () => {
  it('admits a pod that meets it, with NET_BIND_SERVICE added and the service-account volume', () => {
    const p = buildPod({
      containers: [
        {
          name: 'app',
          securityContext: {
            ...RESTRICTED_SC,
            capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
          } as Json,
        },
      ],
    });
    expect(podSecurityViolations(p, 'restricted')).toEqual([]);
  });

  const rows: Array<[string, Pod, string]> = [
    [
      'allowPrivilegeEscalation unset',
      pod(
        { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
        { securityContext: { capabilities: { drop: ['ALL'] } } },
      ),
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
    ],
    [
      'capabilities not dropped',
      restricted({ capabilities: {} }),
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
    ],
    [
      'a capability other than NET_BIND_SERVICE added',
      restricted({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } }),
      'unrestricted capabilities (container "app" must not include "CHOWN" in securityContext.capabilities.add)',
    ],
    [
      'runAsNonRoot unset',
      restricted({ runAsNonRoot: null }),
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
    ],
    [
      'runAsNonRoot false',
      restricted({ runAsNonRoot: false }),
      'runAsNonRoot != true (container "app" must not set securityContext.runAsNonRoot=false)',
    ],
    ['runAsUser 0', restricted({ runAsUser: 0 }), 'runAsUser=0 (container "app" must not set runAsUser=0)'],
    [
      'runAsUser 0 on the pod, hostUsers: false (no relaxation here)',
      pod({ hostUsers: false, securityContext: { runAsUser: 0 } }, { securityContext: RESTRICTED_SC }),
      'runAsUser=0 (pod must not set runAsUser=0)',
    ],
    [
      'seccomp unset',
      restricted({ seccompProfile: null }),
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
    [
      'a volume type outside the list',
      restricted(
        {},
        {
          volumes: [
            { name: 'share', nfs: { server: 'n', path: '/x' } },
            { name: 'conf', configMap: { name: 'c' } },
          ],
        },
      ),
      'restricted volume types (volume "share" uses restricted volume type "nfs")',
    ],
    [
      'a volume of a type it does not know',
      restricted({}, { volumes: [{ name: 'odd', somethingNew: {} }] }),
      'restricted volume types (volume "odd" uses restricted volume type "unknown")',
    ],
    [
      'procMount Unmasked (the restricted check, after the restricted checks before it)',
      restricted({ procMount: 'Unmasked' }),
      'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
    ],
  ];
  it.each(rows)('refuses %s', (_what, p, want) => {
    expect(refused(p, 'restricted')).toBe(want);
  });

  it('admits a hostPath volume (allowedHostPaths decides)', () => {
    expect(
      podSecurityViolations(
        restricted({}, { volumes: [{ name: 'd', hostPath: { path: '/d' } }] }),
        'restricted',
      ),
    ).toEqual([]);
  });

  it('exempts a Windows pod from the Linux-only checks, as the API server does', () => {
    const p = pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true } });
    expect(podSecurityViolations(p, 'restricted')).toEqual([]);
  });

  it('names the level in the sentence', () => {
    expect(podSecurityRefusal(pod(), 'restricted')).toMatch(
      /^pods "web" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
  });
});
