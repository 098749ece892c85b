/**
 * Rootless Podman for the tests, as `scripts/ensure-podman.sh rootless` sets it up: a test user
 * (PODMAN_USER, default podplug) serving Podman's Docker-compatible API on its own socket. The
 * plugin runs as that user (startPlugin's runAs). With REQUIRE_PODMAN=1 (.ci/run) a missing
 * rootless Podman fails the suite instead of skipping it.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import type { RunAs } from './plugin-process.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface RootlessPodman extends RunAs {
  user: string;
}

function find(): RootlessPodman | string {
  const user = process.env.PODMAN_USER || 'podplug';
  let uid: number;
  let gid: number;
  let home: string;
  try {
    [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' })));
    home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5] ?? '';
  } catch {
    return `there is no user ${user} (run scripts/ensure-podman.sh rootless)`;
  }
  const runtimeDir = `/run/user/${uid}`;
  const dockerHost = `unix://${runtimeDir}/podman/podman.sock`;
  try {
    const version = execFileSync('docker', ['version', '--format', '{{json .Server.Components}}'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (!version.includes('Podman Engine')) return `${dockerHost} is not Podman's socket`;
    execFileSync('docker', ['image', 'inspect', 'busybox:1.36'], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: 20_000,
      stdio: 'ignore',
    });
  } catch (err) {
    return `rootless Podman does not answer at ${dockerHost} with the test image (${(err as Error).message.split('\n')[0]}); run scripts/ensure-podman.sh rootless`;
  }
  // The plugin runs from this checkout as the user: a clone under /root is closed to it.
  try {
    execFileSync('test', ['-r', join(REPO_ROOT, 'node_modules', '.bin', 'tsx')], { uid, gid: gid as number });
  } catch {
    return `the user ${user} cannot read ${REPO_ROOT}/node_modules (the plugin runs from this checkout as that user)`;
  }
  return {
    user,
    uid: uid as number,
    gid: gid as number,
    dockerHost,
    env: { HOME: home, USER: user, LOGNAME: user, XDG_RUNTIME_DIR: runtimeDir, DOCKER_HOST: dockerHost },
  };
}

let found: RootlessPodman | string | undefined;

/** The rootless Podman of this machine, or why there is none. */
export function rootlessPodman(): RootlessPodman | string {
  found ??= process.getuid?.() === 0 ? find() : 'the tests run as root to start the plugin as the test user';
  return found;
}

/** The rootless Podman, for inside a describeRootlessPodman. */
export function podman(): RootlessPodman {
  const p = rootlessPodman();
  if (typeof p === 'string') throw new Error(p);
  return p;
}

/** `describe` when rootless Podman answers; otherwise skipped, or failed under REQUIRE_PODMAN=1. */
export function describeRootlessPodman(name: string, fn: () => void | Promise<void>): void {
  const p = rootlessPodman();
  if (typeof p !== 'string') {
    describe(name, fn);
    return;
  }
  if (process.env.REQUIRE_PODMAN === '1') {
    describe(name, () => {
      it('needs rootless Podman (REQUIRE_PODMAN=1)', () => {
        throw new Error(p);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${p})`, fn);
}
