/**
 * Downloads served from the operator's binaries directory (PLUGIN_MESH_BINARIES_DIR), for sites
 * without internet (interLink issue #545). interLink's scripts fetch their tools with
 * `curl ... URL -o NAME` (0.6.2 and PR #538 alike; the wstunnel command fetches `wstunnel.tar.gz`
 * the same way), from URLs that are the Virtual Kubelet's settings. Rather than rewriting those
 * lines, whose shape changes between releases, the helper finds a `curl` (and `wget`) shim first on
 * its PATH: a download whose output is a plain file name present in the directory is a copy from it;
 * anything else is the real tool, unchanged. The directory is mounted read-only, so the pod's text,
 * which runs as root in the helper, cannot change what the next pod gets.
 */

/** Where the helper sees the operator's binaries directory. */
export const BINARIES_MOUNT = '/interlink-mesh-binaries';
/** Set in the helper when the directory is mounted: run.sh then puts the shims first on PATH. */
export const BINARIES_VAR = 'INTERLINK_MESH_BINARIES';
/** The shims' folder inside the scripts directory (`/interlink-network/bin` in the helper). */
export const SHIM_DIR = 'bin';

/** One shim for curl and wget: it knows which it is by its name. */
export function downloadShim(scriptsMount: string): string {
  return `#!/bin/bash
# Written by interlink-docker-plugin: a download of a file the operator's binaries directory holds
# (PLUGIN_MESH_BINARIES_DIR) is a copy from it; anything else runs the real ${'$'}{0##*/}.
tool=\${0##*/}
out=""
args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  a=\${args[i]}
  case "$tool:$a" in
    curl:-o | curl:--output | wget:-O) out=\${args[i + 1]-} ;;
    curl:--output=* | wget:--output-document=*) out=\${a#*=} ;;
    wget:--output-document) out=\${args[i + 1]-} ;;
  esac
done
dir=\${${BINARIES_VAR}:-}
if [ -n "$dir" ] && [[ $out =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] && [ -f "$dir/$out" ]; then
  echo "interlink-docker-plugin: $out comes from the plugin's binaries directory, not downloaded" >&2
  exec cp "$dir/$out" "$out"
fi
IFS=: read -ra path <<<"$PATH"
for p in "\${path[@]}"; do
  [ "$p" = ${scriptsMount}/${SHIM_DIR} ] && continue
  [ -x "$p/$tool" ] && exec "$p/$tool" "$@"
done
echo "$tool: not found" >&2
exit 127
`;
}

/** Lines run.sh starts with: the shims first on PATH when the directory is there. */
export function shimPathLine(scriptsMount: string): string {
  return `[ -n "\${${BINARIES_VAR}:-}" ] && export PATH=${scriptsMount}/${SHIM_DIR}:$PATH`;
}

/** The helper's `docker run` args that mount the directory, read-only. */
export function binariesMountArgs(binariesDir: string | undefined): string[] {
  if (!binariesDir) return [];
  return [
    '--mount',
    `type=bind,src=${binariesDir},dst=${BINARIES_MOUNT},readonly`,
    '--env',
    `${BINARIES_VAR}=${BINARIES_MOUNT}`,
  ];
}

/** `--env NAME` for each proxy variable: the docker CLI passes the plugin's value by name. */
export function proxyEnvArgs(names: readonly string[]): string[] {
  return names.flatMap((n) => ['--env', n]);
}
