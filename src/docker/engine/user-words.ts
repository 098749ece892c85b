/**
 * Docker's words as a pod's status may show them. A container's waiting message reaches whoever
 * can `kubectl describe` the pod; Docker's stderr can name paths of the host (the plugin's state
 * dir, Docker's data root, its runtime sockets), which are the operator's business: they are
 * replaced, and the whole stderr stays in the log line that reports the failure.
 */
import type { DockerCliError } from './docker-cli.ts';

/** Where Docker and containerd keep their data and sockets, on any host with default settings. */
const ENGINE_ROOTS = [
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/run/docker',
  '/run/docker',
  '/run/containerd',
];

/** `text` with every path under `roots` (and the engine's own) replaced by "(a host path)". */
export function withoutHostPaths(text: string, roots: readonly string[]): string {
  let out = text;
  for (const root of [...roots, ...ENGINE_ROOTS]) {
    const trimmed = root.replace(/\/+$/, '');
    if (trimmed === '') continue;
    const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`${escaped}(?=$|[/\\s"':,;)])[^\\s"':,;)]*`, 'g'), '(a host path)');
  }
  return out;
}

/** Docker's reason for a failure, fit for a pod's status: no command line, no host path. */
export function userReason(err: DockerCliError, stateDir: string): string {
  return withoutHostPaths(err.reason, [stateDir]);
}
