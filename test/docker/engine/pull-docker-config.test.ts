/**
 * PLUGIN_DOCKER_CONFIG reaches the docker CLI of a pull: a real `docker pull` of a registry-less name
 * asks the credential helper named in that directory's config.json (no registry is reachable here,
 * so the pull itself fails; the helper's record proves where credentials were read).
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { pullImage } from '../../../src/docker/engine/docker-verbs.ts';
import { describeDocker } from '../../helpers/docker.ts';

describeDocker('the Docker config directory of pulls', () => {
  it('makes docker pull read credentials through that directory (its credential helper is asked)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docker-config-'));
    const marker = join(dir, 'helper-asked');
    const helper = join(dir, 'docker-credential-plugintest');
    // The helper records what it was asked for and answers "no credentials" as helpers do.
    await writeFile(
      helper,
      `#!/bin/sh\necho "$1 $(cat)" >> '${marker}'\necho 'credentials not found in native keychain'\nexit 1\n`,
    );
    await chmod(helper, 0o755);
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        credHelpers: {
          'docker.io': 'plugintest',
          'index.docker.io': 'plugintest',
          'registry-1.docker.io': 'plugintest',
        },
        credsStore: 'plugintest',
      }),
    );
    const previousPath = process.env.PATH;
    process.env.PATH = `${dir}:${previousPath}`;
    try {
      const docker = new DockerCli('docker', { callMs: 60_000, pullMs: 60_000 }, dir);
      await expect(pullImage(docker, 'plugin-test-private-app:1')).rejects.toThrow();
      expect(await readFile(marker, 'utf8')).toMatch(/^get /m);
    } finally {
      process.env.PATH = previousPath;
    }
  }, 90_000);
});
