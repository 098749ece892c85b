/**
 * Whether the engine runs as an unprivileged user (rootless Podman or rootless Docker), and what
 * it then cannot apply on this host (../engine-limits.ts; the pod rule is pod/engine-limits.ts). Docker and newer
 * Podman say "name=rootless" in `docker info`'s security options; Podman 4.3 does not, so the
 * owner of the engine's unix socket says it: a rootless engine serves its socket as its user.
 */
import { readFile, stat } from 'node:fs/promises';
import type { DockerCli } from './docker-cli.ts';
import { type EngineInfo, engineEndpoint } from './docker-verbs.ts';

/** The user a rootless engine runs as; undefined for an engine run by root. */
export interface RootlessEngine {
  /** Its uid, when its socket says it. */
  uid?: number;
}

export const PORT_START_FILE = '/proc/sys/net/ipv4/ip_unprivileged_port_start';

/** Reads whether the engine behind the CLI is rootless. */
export async function detectRootless(
  docker: DockerCli,
  info: Pick<EngineInfo, 'SecurityOptions'>,
): Promise<RootlessEngine | undefined> {
  const named = (info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless'));
  const uid = await socketOwner(docker);
  if (uid) return { uid };
  return named ? {} : undefined;
}

/** The owner of the engine's unix socket on this host; undefined for TCP, SSH or an unreadable path. */
async function socketOwner(docker: DockerCli): Promise<number | undefined> {
  const endpoint = await engineEndpoint(docker).catch(() => '');
  if (!endpoint.startsWith('unix://')) return undefined;
  const st = await stat(endpoint.slice('unix://'.length)).catch(() => undefined);
  return st?.isSocket() ? st.uid : undefined;
}

/** net.ipv4.ip_unprivileged_port_start of this kernel (1024, the kernel's default, if unreadable). */
export async function unprivilegedPortStart(): Promise<number> {
  const value = Number.parseInt(await readFile(PORT_START_FILE, 'utf8').catch(() => ''), 10);
  return Number.isInteger(value) && value >= 0 ? value : 1024;
}
