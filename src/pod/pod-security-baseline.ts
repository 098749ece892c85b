/** The baseline level's checks, as k8s.io/pod-security-admission's policy/check_*.go at "latest". */
import {
  type Check,
  containersNamed,
  joinQuote,
  list,
  type Obj,
  obj,
  plural,
  setters,
  sorted,
  text,
} from './pod-security-view.ts';

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

export const appArmorProfile: Check = (s) => {
  const values = new Set<string>();
  const type = (p: Obj) => text(p.type);
  const who = setters(
    s,
    'appArmorProfile',
    (p) => !['RuntimeDefault', 'Localhost'].includes(type(p)),
    values,
    type,
  );
  const annotations = Object.entries(obj(s.meta.annotations) ?? {})
    .filter(([k, v]) => {
      const value = text(v);
      return (
        k.startsWith(APPARMOR_ANNOTATION) &&
        !(value === '' || value === 'runtime/default' || value.startsWith('localhost/'))
      );
    })
    .map(([k, v]) => `${k}=${JSON.stringify(text(v))}`)
    .sort();
  const bad = [...sorted(values), ...annotations];
  if (annotations.length > 0) who.push(plural('annotation', 'annotations', annotations.length));
  if (who.length === 0) return undefined;
  return {
    reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', bad.length),
    detail: `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(bad)}`,
  };
};

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const added = (c: { sc: Obj | undefined }) => list(obj(c.sc?.capabilities)?.add).map(text);

export const capabilitiesBaseline: Check = (s) => {
  const names: string[] = [];
  const caps: string[] = [];
  for (const c of s.containers) {
    const extra = added(c).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (extra.length > 0) {
      names.push(c.name);
      caps.push(...extra);
    }
  }
  if (names.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containersNamed(names)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
  };
};

export const hostNamespaces: Check = (s) => {
  const set = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => s.spec[k] === true);
  if (set.length === 0) return undefined;
  return { reason: 'host namespaces', detail: set.map((k) => `${k}=true`).join(', ') };
};

export const hostPorts: Check = (s) => {
  const names: string[] = [];
  const ports: string[] = [];
  for (const c of s.containers) {
    const used = list(c.raw.ports)
      .map((p) => obj(p)?.hostPort)
      .filter((p) => p !== undefined && p !== null && p !== 0)
      .map(text);
    if (used.length > 0) {
      names.push(c.name);
      ports.push(...used);
    }
  }
  if (names.length === 0) return undefined;
  const unique = sorted(ports);
  return {
    reason: 'hostPort',
    detail: `${containersNamed(names)} ${plural('uses', 'use', names.length)} ${plural('hostPort', 'hostPorts', unique.length)} ${unique.join(', ')}`,
  };
};

/** A probe or hook that names a host makes the prober (here: the plugin, on the host) connect there. */
export const hostProbesAndHostLifecycle: Check = (s) => {
  const names = new Set<string>();
  const hosts = new Set<string>();
  for (const c of s.containers) {
    const lifecycle = obj(c.raw.lifecycle);
    const handlers = [c.raw.livenessProbe, c.raw.readinessProbe, c.raw.startupProbe].map(obj);
    handlers.push(obj(lifecycle?.postStart), obj(lifecycle?.preStop));
    for (const h of handlers) {
      for (const action of [obj(h?.httpGet), obj(h?.tcpSocket)]) {
        const host = text(action?.host);
        if (host !== '') {
          names.add(c.name);
          hosts.add(host);
        }
      }
    }
  }
  if (names.size === 0) return undefined;
  return {
    reason: 'probe or lifecycle host',
    detail: `${containersNamed(sorted(names))} ${plural('uses', 'use', names.size)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sorted(hosts))}`,
  };
};

export const privileged: Check = (s) => {
  const names = s.containers.filter((c) => c.sc?.privileged === true).map((c) => c.name);
  if (names.length === 0) return undefined;
  return {
    reason: 'privileged',
    detail: `${containersNamed(names)} must not set securityContext.privileged=true`,
  };
};

export const procMount: Check = (s) => {
  const names: string[] = [];
  const types: string[] = [];
  for (const c of s.containers) {
    const v = c.sc?.procMount;
    if (v === undefined || v === null || v === 'Default') continue;
    names.push(c.name);
    types.push(text(v));
  }
  if (names.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${containersNamed(names)} must not set securityContext.procMount to ${joinQuote(sorted(types))}`,
  };
};

const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

export const seLinuxOptions: Check = (s) => {
  const types = new Set<string>();
  let user = false;
  let role = false;
  const bad = (o: Obj) => {
    let valid = true;
    if (!SELINUX_TYPES.has(text(o.type))) {
      valid = false;
      types.add(text(o.type));
    }
    if (text(o.user) !== '') {
      valid = false;
      user = true;
    }
    if (text(o.role) !== '') {
      valid = false;
      role = true;
    }
    return !valid;
  };
  const who = setters(s, 'seLinuxOptions', bad);
  if (who.length === 0) return undefined;
  const data: string[] = [];
  if (types.size > 0) data.push(`${plural('type', 'types', types.size)} ${joinQuote(sorted(types))}`);
  if (user) data.push('user may not be set');
  if (role) data.push('role may not be set');
  return {
    reason: 'seLinuxOptions',
    detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
  };
};

export const validSeccomp = (p: Obj) => p.type === 'RuntimeDefault' || p.type === 'Localhost';

export const seccompProfileBaseline: Check = (s) => {
  const values = new Set<string>();
  const who = setters(
    s,
    'seccompProfile',
    (p) => !validSeccomp(p),
    values,
    (p) => text(p.type),
  );
  if (who.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
  };
};

/** The namespaced sysctls the baseline level allows (pod-security-admission's newest set). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
]);

export const sysctls: Check = (s) => {
  const names = list(s.podSc?.sysctls)
    .map((x) => text(obj(x)?.name))
    .filter((n) => !SAFE_SYSCTLS.has(n));
  if (names.length === 0) return undefined;
  return { reason: 'forbidden sysctls', detail: names.join(', ') };
};

export const windowsHostProcess: Check = (s) => {
  const who = setters(s, 'windowsOptions', (o) => o.hostProcess === true);
  if (who.length === 0) return undefined;
  return {
    reason: 'hostProcess',
    detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  };
};
