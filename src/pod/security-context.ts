/**
 * A container's effective securityContext (merged over the pod's, container fields winning, as
 * the kubelet's DetermineEffectiveSecurityContext), validated, with the kubelet's runAsNonRoot
 * verdict. What the node's Pod Security level admits was checked before (pod-security.ts): no
 * policy here. Docker's spelling of the result is translate/security-args.ts.
 */
import type { Container, Pod } from '../contract/api-types.ts';
import { invalidField, PluginError } from '../errors.ts';
import { isImageReference } from './image-reference.ts';

export interface SecurityPolicy {
  /**
   * The image's USER (`docker image inspect` .Config.User; '' means root). Needed only when
   * needsImageUser() says so: runAsGroup without runAsUser keeps the image's user, as the
   * kubelet does, and `docker --user :GID` would run as root instead.
   */
  imageUser?: string;
}

/** What the container runs as and may do, decided; every id and name checked. */
export interface ContainerSecurity {
  /** `user` or `user:group` (a user name only when kept from the image); undefined keeps the image's. */
  user?: string;
  /** fsGroup and supplementalGroups, each once. */
  groups: number[];
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  readOnlyRootFilesystem: boolean;
  seccompUnconfined: boolean;
  sysctls: Array<readonly [string, string]>;
}

function effective(pod: Pod, container: Container) {
  const p = pod.spec?.securityContext ?? {};
  const c = container.securityContext ?? {};
  return {
    runAsUser: c.runAsUser ?? p.runAsUser ?? undefined,
    runAsGroup: c.runAsGroup ?? p.runAsGroup ?? undefined,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot ?? undefined,
  };
}

/** Whether the kubelet would check the image's user against runAsNonRoot (see nonRootViolation). */
export function requiresNonRoot(pod: Pod, container: Container): boolean {
  return effective(pod, container).runAsNonRoot === true;
}

/** Whether decideSecurity needs policy.imageUser for this container. */
export function needsImageUser(pod: Pod, container: Container): boolean {
  const e = effective(pod, container);
  return e.runAsUser === undefined && e.runAsGroup !== undefined;
}

/** The images whose USER must be known to decide this pod (runAsNonRoot, runAsGroup alone). */
export function imagesNeedingUser(pod: Pod): string[] {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return [
    ...new Set(
      all
        .filter((c) => isImageReference(c.image) && (requiresNonRoot(pod, c) || needsImageUser(pod, c)))
        .map((c) => c.image),
    ),
  ];
}

/**
 * The kubelet's refusal (CreateContainerConfigError) of a runAsNonRoot container that would run
 * as root, given the image's USER; undefined when it may run (verifyRunAsNonRoot).
 */
export function nonRootViolation(pod: Pod, container: Container, imageUser: string): string | undefined {
  const e = effective(pod, container);
  if (e.runAsNonRoot !== true) return undefined;
  const who = `pod: "${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})", container: ${container.name}`;
  if (e.runAsUser !== undefined) {
    return e.runAsUser === 0 ? `container's runAsUser breaks non-root policy (${who})` : undefined;
  }
  const user = imageUser.split(':')[0] ?? '';
  if (user === '' || /^0+$/.test(user))
    return `container has runAsNonRoot and image will run as root (${who})`;
  if (!/^\d+$/.test(user)) {
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (${who})`;
  }
  return undefined;
}

function id(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw invalidField(field, 'must be a whole number between 0 and 2147483647');
  }
  return value;
}

const CAPABILITY = /^[A-Za-z][A-Za-z0-9_]*$/;

function capability(name: string, field: string): string {
  const bare = name.replace(/^CAP_/i, '');
  if (!CAPABILITY.test(bare)) throw invalidField(field, `"${name}" is not a capability name`);
  return bare.toUpperCase();
}

/** The container's effective securityContext, checked field by field (a 422 names the first bad one). */
export function decideSecurity(
  pod: Pod,
  container: Container,
  policy: SecurityPolicy,
  field: string,
): ContainerSecurity {
  const podSc = pod.spec?.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const scField = `${field}/securityContext`;
  const podField = '/pod/spec/securityContext';
  const where = (key: 'runAsUser' | 'runAsGroup') =>
    sc[key] !== undefined && sc[key] !== null ? `${scField}/${key}` : `${podField}/${key}`;
  const out: ContainerSecurity = {
    groups: [],
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    seccompUnconfined: false,
    sysctls: [],
  };

  const e = effective(pod, container);
  if (e.runAsUser !== undefined) {
    const uid = id(e.runAsUser, where('runAsUser'));
    const gid = e.runAsGroup === undefined ? undefined : id(e.runAsGroup, where('runAsGroup'));
    out.user = gid === undefined ? `${uid}` : `${uid}:${gid}`;
  } else if (e.runAsGroup !== undefined) {
    const gid = id(e.runAsGroup, where('runAsGroup'));
    if (policy.imageUser === undefined) {
      throw new PluginError(
        'internal',
        `runAsGroup without runAsUser needs the image's user (policy.imageUser) for ${field}`,
      );
    }
    // Keep the image's user (a name is fine: Docker looks it up in the container's /etc/passwd).
    out.user = `${policy.imageUser.split(':')[0] || '0'}:${gid}`;
  }

  // The kubelet adds fsGroup and supplementalGroups to the process's groups.
  const groups = new Set<number>();
  (podSc.supplementalGroups ?? []).forEach((g, i) => {
    groups.add(id(g, `${podField}/supplementalGroups/${i}`));
  });
  if (podSc.fsGroup !== undefined && podSc.fsGroup !== null)
    groups.add(id(podSc.fsGroup, `${podField}/fsGroup`));
  out.groups = [...groups];

  out.privileged = sc.privileged === true;

  // Docker drops before it adds, as Kubernetes does: `drop: [ALL], add: [NET_BIND_SERVICE]` works.
  out.capAdd = (sc.capabilities?.add ?? []).map((cap, i) =>
    capability(cap, `${scField}/capabilities/add/${i}`),
  );
  out.capDrop = (sc.capabilities?.drop ?? []).map((cap, i) =>
    capability(cap, `${scField}/capabilities/drop/${i}`),
  );

  // seccompProfile is not in the contract's types but may be in the pod; Docker's default
  // profile is RuntimeDefault. (Kubernetes' own default is Unconfined unless the kubelet runs
  // with --seccomp-default; Docker's default profile is kept: the stricter of the two.)
  const seccomp = ((sc as Record<string, unknown>).seccompProfile ??
    (podSc as Record<string, unknown>).seccompProfile) as { type?: string } | undefined;
  if (seccomp?.type === 'Unconfined') out.seccompUnconfined = true;
  else if (seccomp?.type === 'Localhost') {
    const seccompField = (sc as Record<string, unknown>).seccompProfile ? scField : podField;
    throw invalidField(
      `${seccompField}/seccompProfile/type`,
      'Localhost seccomp profiles are not supported by the Docker plugin',
    );
  }

  out.sysctls = (podSc.sysctls ?? []).map((s, i) => {
    if (!/^[a-z0-9_./-]+$/i.test(s.name ?? ''))
      throw invalidField(`${podField}/sysctls/${i}/name`, 'is not a sysctl name');
    return [s.name as string, s.value ?? ''] as const;
  });
  return out;
}
