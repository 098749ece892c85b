/**
 * interLink's pod networking annotations, read as text: the full-mesh script the Virtual Kubelet
 * puts in `slurm-job.vk.io/pre-exec`, and the wstunnel command line of
 * `interlink.eu/wstunnel-client-commands`. Pure: nothing here runs anything.
 *
 * The mesh script is written for batch systems, where a job has no network namespace of its own: it
 * downloads its tools, writes an inner script (`slirp.sh`) that brings the WireGuard mesh up, and
 * runs that inner script under `unshare --net --mount` with slirp4netns giving the new namespace a
 * way out. A pod here already has a namespace (its sandbox's), so the plugin runs the script in a
 * helper container that joined it, after one documented transformation of the text:
 *
 * 1. The namespace wrapping is cut: from `echo "=== Starting network namespace ==="` (or the
 *    `unshare` line when that echo is missing) to the end. The inner script the `unshare` line ran
 *    is run in its place, in the foreground, with the same arguments.
 * 2. `mount --bind FILE /etc/resolv.conf` becomes `cat FILE > "$INTERLINK_RESOLV_CONF"`: the pod's
 *    resolver file, which every container of the pod mounts as its /etc/resolv.conf. Other
 *    `mount` lines become no-ops: they only made the private mount namespace `unshare --mount`
 *    created writable, and the helper's own filesystem already is (it has no CAP_SYS_ADMIN).
 *
 * Everything else (downloads, WireGuard, routes, DNS contents, the readiness echo) runs as written.
 */
import { TUNNEL_ANNOTATIONS, type TunnelKind, tunnelCommand } from './tunnel-annotations.ts';

/** Where the Virtual Kubelet puts the mesh script, followed by whatever the user had there. */
export const PRE_EXEC_ANNOTATION = 'slurm-job.vk.io/pre-exec';
/** Without full mesh: the command line that exposes the pod's ports through wstunnel. */
export const WSTUNNEL_ANNOTATION = TUNNEL_ANNOTATIONS.wstunnel;
/** `disabled` opts a pod out of the mesh. */
export const MESH_NETWORK_ANNOTATION = 'interlink.eu/mesh-network';
/** The environment variable naming the pod's resolver file inside the helper. */
export const RESOLV_CONF_VAR = 'INTERLINK_RESOLV_CONF';

/** What a pod's annotations ask of its network. */
export type PodNetworking =
  | { kind: 'none' }
  | {
      kind: 'mesh';
      script: string;
      userText: string;
      /** `interlink`: transformed as the module comment says; `unknown`: runs as written (see meshPlan). */
      shape: 'interlink' | 'unknown';
      /** interLink PR #541's `INTERLINK_MESH_CONTACT_HOST`, for the pod's containers' environment. */
      contactHost?: string;
    }
  | { kind: TunnelKind; command: string };

export class MeshScriptError extends Error {
  override name = 'MeshScriptError';
}

const HEREDOC_START = /^[ \t]*cat[ \t]+<<-?[ \t]*(['"]?)EOFMESH\1[ \t]*>[ \t]*\S*mesh\.sh[ \t]*$/m;
/** Lines the SLURM plugin's format adds after the heredoc to run the file; the helper runs it itself. */
const RUNS_MESH_FILE = /^[ \t]*(?:chmod[ \t]+\+x[ \t]+)?\S*\/mesh\.sh[ \t]*$/;

/** Splits the pre-exec annotation into the mesh script (the heredoc's body) and the user's own text. */
export function splitPreExec(annotation: string): { script: string; userText: string } | undefined {
  const start = HEREDOC_START.exec(annotation);
  if (!start) return undefined;
  const bodyStart = start.index + start[0].length + 1;
  // interLink 0.6.2's template ends without a newline and the VK appends the user's pre-exec text
  // straight after it, so whatever follows EOFMESH on its line is the start of the user's text.
  const endMatch = /^EOFMESH/m.exec(annotation.slice(bodyStart));
  if (!endMatch) throw new MeshScriptError('the EOFMESH heredoc has no end line');
  const script = annotation.slice(bodyStart, bodyStart + endMatch.index);
  const after = annotation.slice(bodyStart + endMatch.index + endMatch[0].length);
  const userText = [annotation.slice(0, start.index), after]
    .join('\n')
    .split('\n')
    .filter((line) => !RUNS_MESH_FILE.test(line))
    .join('\n')
    .trim();
  return { script, userText };
}

const UNSHARE_LINE = /^[ \t]*unshare[ \t].*$/m;
const NAMESPACE_ECHO = /^[ \t]*echo[ \t]+["']?=== Starting network namespace ===["']?[ \t]*$/m;
const RESOLV_BIND =
  /^([ \t]*)mount[ \t]+(?:--bind|-o[ \t]+bind)[ \t]+(\S+)[ \t]+\/etc\/resolv\.conf[ \t]*$/gm;
const OTHER_MOUNT = /^([ \t]*)(mount[ \t].*)$/gm;

/** The inner script and its arguments, from `unshare [flags] --net --mount $TMPDIR/slirp.sh "$@" &`. */
function innerCommand(unshareLine: string): string {
  const words = unshareLine
    .trim()
    .replace(/&$/, '')
    .trim()
    .split(/[ \t]+/);
  const at = words.findIndex((w, i) => i > 0 && /\.sh["']?$/.test(w));
  // Named, not quoted: the script holds secrets (WireGuard keys) and the message reaches the log.
  if (at < 0)
    throw new MeshScriptError(
      'has an unshare line that runs no .sh script: not the shape of interLink 0.6 mesh script',
    );
  return words.slice(at).join(' ');
}

/** interLink's mesh script with the namespace wrapping left out (see the module comment). */
export function transformMeshScript(script: string): string {
  const unshare = UNSHARE_LINE.exec(script);
  if (!unshare) throw new MeshScriptError('no unshare line: not the shape of interLink 0.6 mesh script');
  const echo = NAMESPACE_ECHO.exec(script);
  const cut = echo && echo.index < unshare.index ? echo.index : unshare.index;
  const core = script
    .slice(0, cut)
    .replace(
      RESOLV_BIND,
      (_m, indent: string, file: string) => `${indent}cat ${file} > "$${RESOLV_CONF_VAR}"`,
    )
    .replace(
      OTHER_MOUNT,
      (_m, indent: string, line: string) => `${indent}: left out, the helper needs no mount: ${line}`,
    );
  return (
    `${core.trimEnd()}\n\n` +
    "# interlink-docker-plugin: this helper already runs in the pod's network namespace, so the\n" +
    '# unshare/slirp4netns wrapping is left out and the inner script runs here, in the foreground.\n' +
    `bash ${innerCommand(unshare[0])}\n`
  );
}

/** PR #541's script exports the name the cluster reaches the pod by; the job it wraps inherits it. */
const CONTACT_HOST =
  /^[ \t]*export[ \t]+INTERLINK_MESH_CONTACT_HOST=(["']?)([A-Za-z0-9][A-Za-z0-9.-]{0,252})\1[ \t]*$/m;
export const CONTACT_HOST_VAR = 'INTERLINK_MESH_CONTACT_HOST';

/**
 * The script the helper runs. A script this module does not recognise (no `unshare` line running an
 * inner script) runs as written rather than being refused: a later interLink may need no wrapping,
 * and one that still needs it fails in the helper (no CAP_SYS_ADMIN), which fails the pod with its
 * log. The helper's wrapper says in its log that the script ran untransformed.
 */
function meshPlan(script: string): { script: string; shape: 'interlink' | 'unknown'; contactHost?: string } {
  const contact = CONTACT_HOST.exec(script)?.[2];
  const found = contact ? { contactHost: contact } : {};
  try {
    return { script: transformMeshScript(script), shape: 'interlink', ...found };
  } catch (err) {
    if (!(err instanceof MeshScriptError)) throw err;
    const note =
      'echo "interlink-docker-plugin: this mesh script\'s shape is not one the plugin knows (interLink 0.6.2, PR #538, PR #541): it runs as written" >&2\n';
    return { script: note + script, shape: 'unknown', ...found };
  }
}

/**
 * What the pod's annotations ask for: the mesh (unless disabled), else a tunnel client command
 * (wstunnel, rathole or ssh: tunnel-annotations.ts), else nothing.
 */
export function podNetworking(
  annotations: Readonly<Record<string, string>> | null | undefined,
): PodNetworking {
  const a = annotations ?? {};
  const disabled = a[MESH_NETWORK_ANNOTATION]?.trim().toLowerCase() === 'disabled';
  const preExec = a[PRE_EXEC_ANNOTATION];
  const mesh = !disabled && preExec ? splitPreExec(preExec) : undefined;
  if (mesh) return { kind: 'mesh', ...meshPlan(mesh.script), userText: mesh.userText };
  return tunnelCommand(a) ?? { kind: 'none' };
}
