/** The restricted level's own checks, as k8s.io/pod-security-admission's policy/check_*.go at "latest". */
import { added, validSeccomp } from './pod-security-baseline.ts';
import {
  type Check,
  containersNamed,
  isWindows,
  joinQuote,
  list,
  obj,
  plural,
  sorted,
  text,
} from './pod-security-view.ts';

export const allowPrivilegeEscalation: Check = (s) => {
  if (isWindows(s)) return undefined;
  const names = s.containers.filter((c) => c.sc?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (names.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersNamed(names)} must set securityContext.allowPrivilegeEscalation=false`,
  };
};

export const capabilitiesRestricted: Check = (s) => {
  if (isWindows(s)) return undefined;
  const missingDropAll: string[] = [];
  const adding: string[] = [];
  const caps: string[] = [];
  for (const c of s.containers) {
    const capabilities = obj(c.sc?.capabilities);
    if (!list(capabilities?.drop).includes('ALL')) missingDropAll.push(c.name);
    const extra = added(c).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (extra.length > 0) {
      adding.push(c.name);
      caps.push(...extra);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0)
    details.push(`${containersNamed(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length > 0)
    details.push(
      `${containersNamed(adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
    );
  if (details.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: details.join('; ') };
};

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const NAMED_VOLUME_TYPES = new Set([
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
]);

export const restrictedVolumes: Check = (s) => {
  const names: string[] = [];
  const types: string[] = [];
  for (const v of list(s.spec.volumes).map(obj)) {
    if (!v) continue;
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== null && v[k] !== undefined);
    // hostPath: the operator's allowedHostPaths decides (see the header). No source: emptyDir.
    if (sources.length === 0 || sources.includes('hostPath')) continue;
    if (sources.some((k) => ALLOWED_VOLUME_TYPES.has(k))) continue;
    names.push(text(v.name));
    types.push(sources.find((k) => NAMED_VOLUME_TYPES.has(k)) ?? 'unknown');
  }
  if (names.length === 0) return undefined;
  const unique = sorted(types);
  return {
    reason: 'restricted volume types',
    detail: `${plural('volume', 'volumes', names.length)} ${joinQuote(names)} ${plural('uses', 'use', names.length)} ${plural('restricted volume type', 'restricted volume types', unique.length)} ${joinQuote(unique)}`,
  };
};

export const runAsNonRoot: Check = (s) => {
  const who: string[] = [];
  const podValue = s.podSc?.runAsNonRoot;
  if (podValue === false) who.push('pod');
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of s.containers) {
    const v = c.sc?.runAsNonRoot;
    if (v !== undefined && v !== null) {
      if (v !== true) explicit.push(c.name);
    } else if (podValue !== true) implicit.push(c.name);
  }
  if (explicit.length > 0) who.push(containersNamed(explicit));
  if (who.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containersNamed(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
};

export const runAsUser: Check = (s) => {
  const who: string[] = [];
  if (s.podSc?.runAsUser === 0) who.push('pod');
  const names = s.containers.filter((c) => c.sc?.runAsUser === 0).map((c) => c.name);
  if (names.length > 0) who.push(containersNamed(names));
  if (who.length === 0) return undefined;
  return { reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` };
};

export const seccompProfileRestricted: Check = (s) => {
  if (isWindows(s)) return undefined;
  const who: string[] = [];
  const values = new Set<string>();
  const podProfile = obj(s.podSc?.seccompProfile);
  if (podProfile && !validSeccomp(podProfile)) {
    who.push('pod');
    values.add(text(podProfile.type));
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of s.containers) {
    const p = obj(c.sc?.seccompProfile);
    if (p) {
      if (!validSeccomp(p)) {
        explicit.push(c.name);
        values.add(text(p.type));
      }
    } else if (!(podProfile && validSeccomp(podProfile))) implicit.push(c.name);
  }
  if (explicit.length > 0) who.push(containersNamed(explicit));
  if (who.length > 0)
    return {
      reason: 'seccompProfile',
      detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
    };
  if (implicit.length > 0)
    return {
      reason: 'seccompProfile',
      detail: `pod or ${containersNamed(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  return undefined;
};
