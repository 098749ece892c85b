/**
 * Builds the plugin's container image as the README says (base image from this machine's files,
 * then the Dockerfile), once per test run; Docker's layer cache makes a rebuild of an unchanged
 * tree a matter of seconds.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const PLUGIN_IMAGE = 'interlink-docker-plugin:test';
const run = promisify(execFile);

let built: Promise<string> | undefined;

export function buildPluginImage(): Promise<string> {
  built ??= (async () => {
    await run('bash', ['scripts/make-base-image.sh'], { cwd: REPO_ROOT });
    // The legacy builder: BuildKit (buildx) is not installed everywhere, and the build needs none of it.
    await run('docker', ['build', '-q', '-t', PLUGIN_IMAGE, '.'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return PLUGIN_IMAGE;
  })();
  return built;
}
