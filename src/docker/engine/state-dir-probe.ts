/**
 * The daemon resolves the bind mounts the plugin asks for by paths on ITS host. Volume files are
 * written under the state dir by the plugin, so the daemon must see that directory at the same
 * path: true on one host, and in a container only when the state dir is mounted at the same path
 * inside and outside; false for a remote engine unless the path is shared. A directory with a
 * unique name is made there and a container that bind-mounts it is created (never started): the
 * daemon refuses the mount when it cannot see the directory.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DockerCli, DockerCliError } from './docker-cli.ts';
import { removeContainers } from './docker-verbs.ts';

/**
 * Label of the probe container, so a probe cut off mid-way can be found and removed. The engine's
 * own container, no pod's: its label stays here, below labels.ts.
 */
const PROBE_LABEL = 'io.interlink.docker-plugin.state-dir-probe';

/** Resolves when the daemon sees `stateDir` at the same path; otherwise throws a sentence saying what to do. */
export async function checkStateDirVisible(
  docker: DockerCli,
  stateDir: string,
  image: string,
): Promise<void> {
  const marker = join(stateDir, `.daemon-probe-${randomUUID()}`);
  try {
    await mkdir(marker, { recursive: true });
  } catch (err) {
    throw new Error(`the state dir ${stateDir} cannot be written: ${(err as Error).message}`);
  }
  try {
    let id: string;
    try {
      const created = await docker.run([
        'create',
        '--network',
        'none',
        '--label',
        `${PROBE_LABEL}=1`,
        '--mount',
        `type=bind,source=${marker},target=/probe,readonly`,
        image,
      ]);
      id = created.stdout.trim();
    } catch (err) {
      if (
        err instanceof DockerCliError &&
        /bind source path does not exist|not a directory/i.test(err.stderr)
      ) {
        throw new Error(
          `the Docker daemon cannot see the state dir ${stateDir} at the same path, so it could not mount pods' volume files. ` +
            'Mount the state dir at the same path inside and outside the plugin container (-v DIR:DIR), ' +
            'or, with a remote engine (DOCKER_HOST), put it on a path shared with that host at the same place.',
        );
      }
      throw err;
    }
    await removeContainers(docker, [id]);
  } finally {
    await rmdir(marker).catch(() => {});
  }
}
