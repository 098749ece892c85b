/** Removing a pod's containers, against the real engine: containers already gone are what a delete wants. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { cliEngine } from '../../../src/docker/engine/engine.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { removePodContainers } from '../../../src/docker/lifecycle/pod-remove.ts';
import { PodView } from '../../../src/docker/view/pod-view.ts';
import { PluginError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { describeDocker, dockerPs, dockerRmByLabel, runDocker } from '../../helpers/docker.ts';

describeDocker('removing pod containers', () => {
  const instance = `remove-${process.pid}-${Date.now()}`;
  const docker = new DockerCli();
  const view = new PodView({
    docker,
    instance,
    resyncMs: 3_600_000,
    log: createLogger({ test: 'pod-remove' }),
  });
  const owner = `${LABEL.owner}=${instance}`;

  beforeAll(() => view.start());
  afterAll(async () => {
    await view.close();
    await dockerRmByLabel(owner);
  });

  const make = async () =>
    (
      await runDocker([
        'create',
        '--label',
        owner,
        '--label',
        `${LABEL.podUid}=p1`,
        'busybox:1.36',
        'sleep',
        '300',
      ])
    ).stdout.trim();

  it('removes the containers that exist and takes those already gone as removed', async () => {
    const kept = await make();
    const gone = await make();
    await runDocker(['rm', gone]);
    await removePodContainers(cliEngine(docker), view, [kept, gone], undefined);
    expect(await dockerPs([owner])).toEqual([]);
  });

  it('removes pods deleted at the same time with fewer docker rm calls than pods', async () => {
    const counted = new DockerCli();
    const rms: string[][] = [];
    counted.observers.push({
      started(args) {
        if (args[0] === 'rm') rms.push(args.filter((a) => !a.startsWith('-')).slice(1));
        return () => {};
      },
    });
    const engine = cliEngine(counted);
    const pods = await Promise.all(Array.from({ length: 10 }, () => Promise.all([make(), make()])));
    await Promise.all(pods.map((ids) => removePodContainers(engine, view, ids, undefined)));
    expect(await dockerPs([owner])).toEqual([]);
    // Eight start at once; the two asked meanwhile share the ninth.
    expect(rms.map((ids) => ids.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 4]);
  });

  it('fails with a 500 that names the reason when Docker cannot remove them', async () => {
    const id = await make();
    const broken = new DockerCli('false');
    const failed = await removePodContainers(cliEngine(broken), view, [id], undefined).catch(
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(PluginError);
    expect(failed).toMatchObject({ kind: 'internal' });
    expect((failed as Error).message).toMatch(/could not remove containers/);
    expect(await dockerPs([owner])).toEqual([id]);
  });
});
