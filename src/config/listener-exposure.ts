/**
 * Which of the plugin's TCP listeners a pod could reach. A TCP listener on loopback is reached by
 * every process of the host, and by every pod that shares the host's network (hostNetwork): the
 * node's Pod Security level decides whether pods may. Pure: main.ts logs what this says, once.
 */
import type { Config, ListenAddress } from './load-config.ts';

function address(l: ListenAddress): string {
  return l.kind === 'unix' ? `unix:${l.path}` : `${l.host}:${l.port}`;
}

/**
 * The operator's warning when pods may share the host's network (level privileged) and a TCP
 * listener has no token; undefined when no pod can reach an open listener.
 */
export function hostNetworkExposure(
  config: Pick<Config, 'podSecurityLevel' | 'listen' | 'authToken' | 'metricsListen' | 'metricsToken'>,
): string | undefined {
  if (config.podSecurityLevel !== 'privileged') return undefined;
  const open: string[] = [];
  if (config.listen.kind === 'tcp' && !config.authToken)
    open.push(
      `the plugin API on ${address(config.listen)} has no token (PLUGIN_AUTH_TOKEN): such a pod can create privileged pods, read every pod's logs and delete pods on this host`,
    );
  if (config.metricsListen?.kind === 'tcp' && !config.metricsToken)
    open.push(
      `/metrics on ${address(config.metricsListen)} has no token (PLUGIN_METRICS_TOKEN): such a pod reads the names of every pod`,
    );
  if (open.length === 0) return undefined;
  return `PLUGIN_POD_SECURITY_LEVEL is privileged, so a pod may share this host's network (hostNetwork) and reach its loopback; ${open.join('; ')}. Serve the API on a unix socket (PLUGIN_LISTEN=unix:/PATH) or set the tokens, or choose the baseline level`;
}
