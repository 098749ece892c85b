/**
 * The network helper: a container joined to a pod's sandbox network namespace that runs interLink's
 * mesh script (full mesh) or tunnel client command (port exposure: wstunnel, rathole or ssh) for the pod's lifetime, with NET_ADMIN
 * and /dev/net/tun, never privileged. It runs text from the pod's annotations as root, so it sees
 * only what it needs, and nothing it can write is followed by Docker or the plugin. Its files live
 * in the pod's state dir (`network/`), which no container sees:
 *
 * - `scripts/`, mounted read-only: `run.sh`, the plugin's wrapper (below), the helper's entrypoint;
 *   `mesh.sh` + `user.sh` (mesh) or `<kind>.sh` (`wstunnel.sh`, `rathole.sh`, `ssh.sh`): the annotations' text.
 * - `helper/`, mounted writable into a mesh helper only: the helper's `resolv.conf`, which the mesh
 *   script fills, and `up`, made once the mesh is up. The helper may put anything there (a symlink
 *   to a host file): the plugin reads only regular files there, never following a link
 *   (../nofollow-files.ts), and nothing else reads that directory.
 * - `resolv.conf`: the pod's resolver, which every container of the pod mounts read-only as
 *   /etc/resolv.conf: made empty at create, filled by the plugin with a copy of the helper's once the
 *   mesh is up (mesh-gate.ts). `failed`: the plugin's note of why the mesh never came up.
 *
 * A mesh helper starts with `--restart no`, so a script that fails stays failed (and fails the pod);
 * once the mesh is up the plugin switches it to `on-failure`, so Docker restarts it if it crashes
 * later. A tunnel helper is `--restart always`: Docker restarts it with back-off.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { Pod, PodStatus } from '../../contract/api-types.ts';
import { type PodNetworking, RESOLV_CONF_VAR } from '../../pod/mesh-script.ts';
import { TUNNEL_KINDS, type TunnelKind } from '../../pod/tunnel-annotations.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL, labelArgs } from '../labels.ts';
import { type PodIdentity, podIdentity, podJobId } from '../naming.ts';
import { replaceFile } from '../nofollow-files.ts';
import { podNetworkDir } from '../state-dir.ts';
import { binariesMountArgs, downloadShim, proxyEnvArgs, SHIM_DIR, shimPathLine } from './helper-downloads.ts';

export type HelperKind = 'mesh' | TunnelKind;

/** The role label value of a network helper: not a spec container, so never reported as one. */
export const HELPER_ROLE = 'network-helper';
/** mesh | wstunnel | rathole | ssh */
export const HELPER_KIND_LABEL = LABEL.helperKind;
/** The names `/getLogs` knows the helpers by (a spec container of the same name wins). */
export const HELPER_LOG_NAME: Record<HelperKind, string> = {
  mesh: 'interlink-mesh',
  wstunnel: 'interlink-wstunnel',
  rathole: 'interlink-rathole',
  ssh: 'interlink-ssh',
};

/** Where the helper sees its scripts (read-only) and, for a mesh, its writable directory. */
const MOUNT = '/interlink-network';
const OUT_MOUNT = '/interlink-mesh';

/** The pod's network dir: the plugin's own; the helper sees two of its subdirectories. */
export function networkDir(stateDir: string, uid: string): string {
  return podNetworkDir(stateDir, uid);
}

/** The mesh helper's writable directory, inside the pod's network dir. */
export function helperOutDir(dir: string): string {
  return join(dir, 'helper');
}

const scriptsDir = (dir: string) => join(dir, 'scripts');

/** The mesh script as the helper runs it: the plugin's file, read-only in the helper. */
export function meshScriptFile(dir: string): string {
  return join(scriptsDir(dir), 'mesh.sh');
}

/** The resolver the pod's containers mount: the plugin's copy of the helper's. */
export function podResolvConf(dir: string): string {
  return join(dir, 'resolv.conf');
}

/** The plugin's note of why the mesh failed, kept for a restarted plugin. */
export function failureNote(dir: string): string {
  return join(dir, 'failed');
}

/** In the scripts directory when the mesh script's shape is not one the plugin knows. */
const UNKNOWN_SHAPE = 'shape-unknown';

const MESH_RUN = `#!/bin/bash
# Written by interlink-docker-plugin: runs interLink's mesh script in the pod's network namespace.
D=${MOUNT}
OUT=${OUT_MOUNT}
trap 'exit 0' TERM INT
${shimPathLine(MOUNT)}
links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'; }
before=$(links)
echo "interlink-docker-plugin: bringing interLink's mesh network up"
bash "$D/mesh.sh"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "interlink-docker-plugin: the mesh script failed with exit code $rc" >&2
  exit "$rc"
fi
# The mesh lives in the processes the script left running (wstunnel, wireguard-go). A script of a
# shape the plugin does not know that ended well but left no interface made no mesh: it must not
# pass for one.
made=$(links | grep -vxF -f <(echo "$before"))
if [ -z "$made" ] && [ -e "$D/${UNKNOWN_SHAPE}" ]; then
  echo "interlink-docker-plugin: the mesh script exited 0 but left no network interface: no mesh" >&2
  exit 1
fi
# A script that set no resolver leaves the pod Docker's.
[ -s "$OUT/resolv.conf" ] || cat /etc/resolv.conf > "$OUT/resolv.conf"
touch "$OUT/up"
echo "interlink-docker-plugin: the mesh network is up"
if [ -s "$D/user.sh" ]; then
  bash "$D/user.sh" || echo "interlink-docker-plugin: the pre-exec text after the mesh script exited with code $?" >&2
fi
# When an interface the script made goes away, exit so Docker restarts the helper and it runs again.
while sleep 5 & wait $!; do
  for l in $made; do
    ip link show dev "$l" >/dev/null 2>&1 || { echo "interlink-docker-plugin: interface $l is gone" >&2; exit 1; }
  done
done
`;

/**
 * Drops every run of 16 or more base64 characters the command file holds from what passes through:
 * the command carries keys, and bash (a syntax error quotes its line) or a client may print them.
 */
const REDACT_AWK = String.raw`BEGIN {
  while ((getline line < f) > 0) {
    while (match(line, /[A-Za-z0-9+\/=]+/)) {
      if (RLENGTH >= 16) secret[++n] = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
    }
  }
}
{
  for (i = 1; i <= n; i++)
    while ((at = index($0, secret[i])) > 0) $0 = substr($0, 1, at - 1) "[redacted]" substr($0, at + length(secret[i]))
  print
  fflush()
}`;

/** The wrapper of a tunnel client command (`<kind>.sh`), run for the pod's lifetime. */
function tunnelRun(kind: TunnelKind): string {
  return `#!/bin/bash
# Written by interlink-docker-plugin: runs interLink's ${kind} client command for the pod's lifetime.
trap 'exit 0' TERM INT
${shimPathLine(MOUNT)}
cd /tmp || exit 1
echo "interlink-docker-plugin: starting interLink's ${kind} command"
# In the background and waited for, so that docker stop's TERM ends the wrapper at once.
( source ${MOUNT}/${kind}.sh; wait ) 2>&1 | awk -v f=${MOUNT}/${kind}.sh '${REDACT_AWK}' &
wait $!
echo "interlink-docker-plugin: the ${kind} command ended; Docker starts it again with back-off" >&2
exit 1
`;
}

/**
 * Writes the helper's scripts, and for a mesh its empty writable directory (what an earlier helper
 * of a retried create left there is removed: a stale `up` must not pass for this one's) and the
 * pod's resolver, empty until the mesh is up: it must exist before any container mounts it.
 */
export async function writeHelperFiles(
  dir: string,
  plan: Exclude<PodNetworking, { kind: 'none' }>,
): Promise<void> {
  const scripts = scriptsDir(dir);
  await fs.mkdir(scripts, { recursive: true, mode: 0o700 });
  const files: Record<string, string> =
    plan.kind === 'mesh'
      ? { 'run.sh': MESH_RUN, [basename(meshScriptFile(dir))]: plan.script, 'user.sh': plan.userText }
      : { 'run.sh': tunnelRun(plan.kind), [`${plan.kind}.sh`]: `${plan.command}\n` };
  if (plan.kind === 'mesh' && plan.shape === 'unknown') files[UNKNOWN_SHAPE] = '';
  else await fs.rm(join(scripts, UNKNOWN_SHAPE), { force: true });
  for (const [name, text] of Object.entries(files)) await replaceFile(join(scripts, name), text);
  // Served by name from PLUGIN_MESH_BINARIES_DIR when the helper has it (helper-downloads.ts).
  await fs.mkdir(join(scripts, SHIM_DIR), { recursive: true, mode: 0o755 });
  for (const tool of ['curl', 'wget'])
    await replaceFile(join(scripts, SHIM_DIR, tool), downloadShim(MOUNT), 0o755);
  if (plan.kind !== 'mesh') return;
  const out = helperOutDir(dir);
  // rm never follows a link inside what it removes.
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { mode: 0o700 });
  await fs.rm(failureNote(dir), { force: true });
  await replaceFile(podResolvConf(dir), '');
}

/** `docker run -d` args of the helper, joined to the sandbox's network namespace. */
export function helperRunArgs(input: {
  pod: Pod;
  instance: string;
  image: string;
  sandbox: string;
  kind: HelperKind;
  dir: string;
  /** PLUGIN_MESH_BINARIES_DIR, mounted read-only when set. */
  binariesDir?: string | undefined;
  /** Proxy variables the helper gets by name from the docker CLI's (the plugin's) environment. */
  proxyEnvNames?: readonly string[];
  /** False where the docker CLI refuses `--device` (Podman's socket): /dev/net/tun is bound in instead. */
  cliTakesDevices?: boolean;
}): string[] {
  const id = podIdentity(input.pod);
  return [
    'run',
    '-d',
    '--name',
    helperName(id, input.kind),
    ...labelArgs(input.instance, id, HELPER_ROLE),
    '--label',
    `${HELPER_KIND_LABEL}=${input.kind}`,
    '--network',
    `container:${input.sandbox}`,
    '--cap-add',
    'NET_ADMIN',
    // A device node it made in its writable directory would be one on the host.
    '--cap-drop',
    'MKNOD',
    ...tunDeviceArgs(input.cliTakesDevices ?? true),
    '--restart',
    input.kind === 'mesh' ? 'no' : 'always',
    '--log-driver',
    'json-file',
    '--log-opt',
    'max-size=10m',
    '--log-opt',
    'max-file=2',
    '--mount',
    `type=bind,src=${scriptsDir(input.dir)},dst=${MOUNT},readonly`,
    ...(input.kind === 'mesh'
      ? [
          '--mount',
          `type=bind,src=${helperOutDir(input.dir)},dst=${OUT_MOUNT}`,
          '--env',
          `${RESOLV_CONF_VAR}=${OUT_MOUNT}/resolv.conf`,
        ]
      : []),
    ...binariesMountArgs(input.binariesDir),
    ...proxyEnvArgs(input.proxyEnvNames ?? []),
    '--env',
    'TMPDIR=/tmp',
    '--workdir',
    '/tmp',
    '--entrypoint',
    'bash',
    input.image,
    `${MOUNT}/run.sh`,
  ];
}

const TUN = '/dev/net/tun';

/**
 * /dev/net/tun in the helper. Bound in (read-write), it is the host's node, as `--device` makes it;
 * the rule lets the helper's device cgroup open it (char 10:200), as `--device` does.
 */
function tunDeviceArgs(cliTakesDevices: boolean): string[] {
  if (cliTakesDevices) return ['--device', TUN];
  return ['--mount', `type=bind,src=${TUN},dst=${TUN}`, '--device-cgroup-rule', 'c 10:200 rwm'];
}

export function helperName(id: PodIdentity, kind: HelperKind): string {
  return `${podJobId(id)}_${HELPER_LOG_NAME[kind]}`;
}

/** The args that give a pod's container the mesh's resolver: the plugin's copy, never the helper's file. */
export function resolvConfMountArgs(dir: string): string[] {
  return ['--mount', `type=bind,src=${podResolvConf(dir)},dst=/etc/resolv.conf,readonly`];
}

/** On the sandbox: the kind of helper the pod has, so a helper that could not be made (or went away) is noticed. */
export function helperKindLabelArgs(kind: HelperKind): string[] {
  return ['--label', `${HELPER_KIND_LABEL}=${kind}`];
}

/** The kind of helper the pod was made with, from its sandbox's label. */
export function expectedHelper(containers: readonly ContainerInspect[]): HelperKind | undefined {
  const sandbox = containers.find((c) => c.Config.Labels?.[LABEL.role] === 'sandbox');
  const kind = sandbox?.Config.Labels?.[HELPER_KIND_LABEL];
  return kind !== undefined && kind in HELPER_LOG_NAME ? (kind as HelperKind) : undefined;
}

/** Notes in the plugin's own dir why the helper could not be made; the status reports it. */
export async function noteHelperFailure(dir: string, message: string): Promise<void> {
  await replaceFile(failureNote(dir), message);
}

/** A pod's helper of the given kind, if it has one. */
export function findHelper(
  containers: readonly ContainerInspect[],
  kind: HelperKind,
): ContainerInspect | undefined {
  return containers.find(
    (c) => c.Config.Labels?.[LABEL.role] === HELPER_ROLE && c.Config.Labels?.[HELPER_KIND_LABEL] === kind,
  );
}

/** The helper `/getLogs` means by this container name, if any. */
export function helperByLogName(
  containers: readonly ContainerInspect[],
  name: string,
): ContainerInspect | undefined {
  const kind = (Object.keys(HELPER_LOG_NAME) as HelperKind[]).find((k) => HELPER_LOG_NAME[k] === name);
  return kind ? findHelper(containers, kind) : undefined;
}

/**
 * A dropped tunnel does not fail the pod: its running containers are reported not ready (the
 * cluster cannot reach them meanwhile) and waiting ones say why. interLink's PodStatus has no pod
 * message, and Kubernetes' running state has none, so that is all the status can carry.
 */
export function applyTunnelStatus(status: PodStatus, containers: readonly ContainerInspect[]): void {
  const expected = expectedHelper(containers);
  const kind = TUNNEL_KINDS.find((k) => k === expected || findHelper(containers, k));
  if (!kind) return;
  const helper = findHelper(containers, kind);
  if (helper?.State.Status === 'running') return;
  const message = helper
    ? `interLink's ${kind} tunnel is down (its helper is ${helper.State.Status}, restarted ${helper.RestartCount} times, ` +
      `and Docker starts it again with back-off); its log: /getLogs of container "${HELPER_LOG_NAME[kind]}"`
    : `interLink's ${kind} tunnel is down: its helper could not be made (see the plugin's log)`;
  for (const c of status.containers) {
    if (c.state.running) c.ready = false;
    else if (c.state.waiting)
      c.state.waiting.message = c.state.waiting.message ? `${c.state.waiting.message}; ${message}` : message;
  }
}
