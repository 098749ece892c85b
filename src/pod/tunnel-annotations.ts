/**
 * interLink's port-exposure tunnels without full mesh: the Virtual Kubelet writes one client
 * command line per pod into the annotation of its tunnel type (wstunnel in 0.6; rathole in
 * 0.7.0-pre2; ssh in PR #529), and the plugin runs it in the pod's network namespace, as the SLURM
 * plugin runs it at the top of the job script. Pure: nothing here runs anything.
 *
 * The commands carry key material (rathole's TLS client key, ssh's base64 private key, the
 * wstunnel path secret), so an annotation's value is never put in a message, a log line, a span or
 * an argv: everything here names annotations, and programs from a fixed list, never their text.
 */

/** The tunnel types and the annotation each one's client command arrives in. */
export const TUNNEL_ANNOTATIONS = {
  wstunnel: 'interlink.eu/wstunnel-client-commands',
  rathole: 'interlink.eu/rathole-client-commands',
  ssh: 'interlink.eu/ssh-client-commands',
} as const;

export type TunnelKind = keyof typeof TUNNEL_ANNOTATIONS;
export const TUNNEL_KINDS = Object.keys(TUNNEL_ANNOTATIONS) as TunnelKind[];

/**
 * Set (non-empty) on a pod reached through interLink's pod VPN: the VK then makes no tunnel server
 * (`shouldCreateWstunnel`), so a client command on such a pod has nobody to talk to.
 */
export const POD_VPN_ANNOTATION = 'interlink.eu/pod-vpn';

/**
 * Annotations that only change the text the VK renders, read by the VK alone: extra ports become
 * more `-R`/`-L`/`[client.services]` entries of the client command; MTU and keepalive become lines
 * of the mesh script (`ip link set ... mtu N`, `PersistentKeepalive = N`). The plugin runs that text
 * as it comes and reads none of these.
 */
export const VK_ONLY_ANNOTATIONS = [
  'interlink.eu/wstunnel-extra-ports',
  'interlink.eu/wg-mtu',
  'interlink.eu/wg-keepalive-seconds',
] as const;

export interface TunnelCommand {
  kind: TunnelKind;
  command: string;
}

export class TunnelAnnotationError extends Error {
  override name = 'TunnelAnnotationError';
  constructor(
    readonly annotation: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The tunnel client the pod's annotations ask for, if any. interLink sets one per pod (it clears
 * the others when it writes one), so two at once is refused, naming both rather than guessing.
 */
export function tunnelCommand(annotations: Readonly<Record<string, string>>): TunnelCommand | undefined {
  if ((annotations[POD_VPN_ANNOTATION] ?? '') !== '') return undefined;
  const present = TUNNEL_KINDS.map((kind) => ({
    kind,
    command: annotations[TUNNEL_ANNOTATIONS[kind]]?.trim(),
  })).filter((t): t is TunnelCommand => Boolean(t.command));
  const [first, second] = present;
  if (second && first)
    throw new TunnelAnnotationError(
      TUNNEL_ANNOTATIONS[second.kind],
      `is set together with ${TUNNEL_ANNOTATIONS[first.kind]}: interLink sets one tunnel command per pod`,
    );
  return first;
}

/**
 * Programs a helper image may lack that interLink's client commands run (the VK's default templates
 * and the SLURM plugin's job prefix assume them). Only these are ever checked or named.
 */
export const KNOWN_PROGRAMS = [
  'bash',
  'curl',
  'wget',
  'tar',
  'unzip',
  'gzip',
  'base64',
  'chmod',
  'ssh',
  'nc',
  'socat',
] as const;
export type KnownProgram = (typeof KNOWN_PROGRAMS)[number];

const COMMAND_SEPARATORS = /&&|\|\||[;&|\n(`]|\$\(/;
const SHELL_WORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'exec', 'nohup']);

/**
 * The known programs a command line runs as commands (the first word of each simple command,
 * after assignments and shell keywords), plus bash, which runs the plugin's wrapper. A program
 * the command downloads and runs by path (`./wstunnel`) is not a known name, so it is not checked.
 */
export function programsRun(command: string): KnownProgram[] {
  const known = new Set<string>(KNOWN_PROGRAMS);
  const found = new Set<KnownProgram>(['bash']);
  for (const part of command.split(COMMAND_SEPARATORS)) {
    const words = part.trim().split(/\s+/);
    const first = words.find((w) => w !== '' && !SHELL_WORDS.has(w) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if (first && known.has(first)) found.add(first as KnownProgram);
  }
  return KNOWN_PROGRAMS.filter((p) => found.has(p));
}
