/**
 * Podman refuses `rm --force` of a container that ended while it was being killed ("container
 * state improper: stopped"), as one its restart policy keeps restarting does about one time in four
 * (seen by hand against Podman 4.3): the container is stopped then, and a second rm removes it.
 */
import { describe, expect, it } from 'vitest';
import { DockerCliError } from '../../../src/docker/engine/docker-cli.ts';
import { ENGINE_TRAITS } from '../../../src/docker/engine/engine-kind.ts';
import { removePodContainers } from '../../../src/docker/lifecycle/pod-remove.ts';
import { PluginError } from '../../../src/errors.ts';

const RACE =
  'Error response from daemon: cannot remove container 2683f779 as it could not be stopped: ' +
  'sending SIGKILL to container 2683f779: container state improper: stopped';

function engine(failures: string[]) {
  const calls: string[][] = [];
  return {
    calls,
    traits: ENGINE_TRAITS.podman,
    async removeContainers(ids: readonly string[]) {
      calls.push([...ids]);
      const stderr = failures.shift();
      if (stderr) throw new DockerCliError(`docker rm --force ${ids.join(' ')}`, 1, stderr);
    },
  };
}
const view = { expectGone: () => {}, unexpectGone: () => {}, refresh: async () => {} };

describe('removing a container that ended while Podman killed it', () => {
  it('removes it with a second rm', async () => {
    const e = engine([RACE]);
    await removePodContainers(e, view, ['2683f779'], undefined);
    expect(e.calls).toEqual([['2683f779'], ['2683f779']]);
  });

  it('takes the containers the first rm removed as gone on the second', async () => {
    const e = engine([RACE, 'Error response from daemon: No such container: aaa']);
    await removePodContainers(e, view, ['aaa', '2683f779'], undefined);
    expect(e.calls).toHaveLength(2);
  });

  it('fails the delete when the second rm is refused too, saying why', async () => {
    const e = engine([RACE, RACE]);
    const err = await removePodContainers(e, view, ['2683f779'], undefined).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toContain('container state improper');
    expect(e.calls).toHaveLength(2);
  });
});
