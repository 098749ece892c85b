/**
 * The verb of a docker command line, as metrics and trace spans name it (`run`, `rm`,
 * `image inspect`), and whether the process is long-lived: the events stream and followed logs
 * run for as long as they are wanted, so their duration says nothing about Docker's speed.
 */
export type DockerProcessKind =
  | { kind: 'call'; verb: string }
  | { kind: 'events' }
  | { kind: 'stream'; verb: string };

/** Management commands whose verb is their second word (`docker image inspect`). */
const GROUPS = new Set(['container', 'image', 'network', 'volume', 'system', 'context', 'builder']);

export function dockerVerb(args: readonly string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  const first = words[0] ?? 'docker';
  return GROUPS.has(first) && words[1] !== undefined ? `${first} ${words[1]}` : first;
}

export function dockerProcessKind(args: readonly string[]): DockerProcessKind {
  const verb = dockerVerb(args);
  if (verb === 'events' || verb === 'system events') return { kind: 'events' };
  if ((verb === 'logs' || verb === 'container logs') && (args.includes('--follow') || args.includes('-f'))) {
    return { kind: 'stream', verb };
  }
  return { kind: 'call', verb };
}
