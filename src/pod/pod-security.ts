/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards) as the
 * API server's admission (k8s.io/pod-security-admission, policy/check_*.go) enforces a level at
 * "latest": the same checks, in the same order (baseline IDs sorted, then restricted IDs sorted),
 * with the same reasons and details, so a refusal reads as `kubectl apply` would show it.
 *
 * A kubelet leaves this to admission. This plugin checks it again at /create because the Docker
 * host is outside the cluster's trust boundary: a pod that reaches it by any path (a namespace
 * without enforcement, a create sent straight to the plugin) must not become root on the host.
 *
 * Deviations, each because of what this node is:
 * - hostPath volumes are governed by the operator's allowedHostPaths, not by the level (neither
 *   baseline's hostPathVolumes nor restricted's volume types refuse them).
 * - `hostUsers: false` earns no relaxation (procMount, runAsNonRoot, runAsUser): Docker runs no
 *   per-pod user namespace, so such a pod's root is the host's root.
 */
import type { Pod } from '../contract/api-types.ts';
import { forbidden } from '../errors.ts';
import {
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seccompProfileBaseline,
  seLinuxOptions,
  sysctls,
  windowsHostProcess,
} from './pod-security-baseline.ts';
import {
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
} from './pod-security-restricted.ts';
import { type Check, view } from './pod-security-view.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** One failed check: its reason and, when it has one, the detail (the API server's CheckResult). */
export interface Violation {
  id: string;
  reason: string;
  detail: string;
}

interface Registered {
  id: string;
  level: 'baseline' | 'restricted';
  check: Check;
  /** Baseline checks a restricted check replaces at the restricted level. */
  overrides?: string[];
}

/** In the API server's order: baseline IDs sorted, then restricted IDs sorted. */
export const CHECKS: readonly Registered[] = [
  { id: 'appArmorProfile', level: 'baseline', check: appArmorProfile },
  { id: 'capabilities_baseline', level: 'baseline', check: capabilitiesBaseline },
  { id: 'hostNamespaces', level: 'baseline', check: hostNamespaces },
  // hostPathVolumes would sit here: allowedHostPaths governs hostPath on this node.
  { id: 'hostPorts', level: 'baseline', check: hostPorts },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', check: hostProbesAndHostLifecycle },
  { id: 'privileged', level: 'baseline', check: privileged },
  { id: 'procMount', level: 'baseline', check: procMount },
  { id: 'seLinuxOptions', level: 'baseline', check: seLinuxOptions },
  { id: 'seccompProfile_baseline', level: 'baseline', check: seccompProfileBaseline },
  { id: 'sysctls', level: 'baseline', check: sysctls },
  { id: 'windowsHostProcess', level: 'baseline', check: windowsHostProcess },
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: allowPrivilegeEscalation },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    check: capabilitiesRestricted,
    overrides: ['capabilities_baseline'],
  },
  { id: 'procMount_restricted', level: 'restricted', check: procMount, overrides: ['procMount'] },
  { id: 'restrictedVolumes', level: 'restricted', check: restrictedVolumes },
  { id: 'runAsNonRoot', level: 'restricted', check: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', check: runAsUser },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    check: seccompProfileRestricted,
    overrides: ['seccompProfile_baseline'],
  },
];

/** Every check the pod fails at `level`, in the API server's order; none at privileged. */
export function podSecurityViolations(pod: Pod, level: PodSecurityLevel): Violation[] {
  if (level === 'privileged') return [];
  const active = level === 'baseline' ? CHECKS.filter((c) => c.level === 'baseline') : [...CHECKS];
  const overridden = new Set(active.flatMap((c) => c.overrides ?? []));
  const s = view(pod);
  const out: Violation[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const v = c.check(s);
    if (v) out.push({ id: c.id, ...v });
  }
  return out;
}

/**
 * The API server's sentence for a refused pod (`pods "x" is forbidden: violates PodSecurity
 * "baseline:latest": …`), or undefined when the level admits it.
 */
export function podSecurityRefusal(pod: Pod, level: PodSecurityLevel): string | undefined {
  const violations = podSecurityViolations(pod, level);
  if (violations.length === 0) return undefined;
  const detail = violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
  return `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "${level}:latest": ${detail}`;
}

/** Refuses (403, as the API server does) a pod the node's level does not admit; nothing exists yet. */
export function checkPodSecurity(pod: Pod, level: PodSecurityLevel): void {
  const refusal = podSecurityRefusal(pod, level);
  if (refusal) throw forbidden(refusal);
}
