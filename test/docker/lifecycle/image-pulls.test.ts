import { afterAll, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { ImagePulls } from '../../../src/docker/lifecycle/image-pulls.ts';
import { createLogger } from '../../../src/log.ts';
import { describeDocker } from '../../helpers/docker.ts';

describeDocker('background image pulls', () => {
  const docker = new DockerCli();
  const pulls = new ImagePulls({
    docker,
    log: createLogger({ test: 'image-pulls' }),
    initialBackoffMs: 300,
    maxBackoffMs: 1200,
  });
  const controller = new AbortController();
  afterAll(() => controller.abort());

  it('reports a failed pull with Docker’s words, then backs off and retries', async () => {
    // No registry is reachable here, so this pull fails for real.
    const image = 'registry.invalid/no/such-image:1';
    const waiting = pulls.pull(image, controller.signal).catch((err: Error) => err);
    const until = async (want: (s: ReturnType<ImagePulls['state']>) => boolean) => {
      for (let i = 0; i < 200 && !want(pulls.state(image)); i++) await new Promise((r) => setTimeout(r, 50));
      return pulls.state(image);
    };
    const first = await until((s) => s?.phase === 'failed');
    expect(first).toMatchObject({ phase: 'failed', reason: 'ErrImagePull' });
    expect(first?.phase === 'failed' && first.message).toMatch(/registry\.invalid|no such host|lookup|dial/);
    const backOff = await until((s) => s?.phase === 'failed' && s.reason === 'ImagePullBackOff');
    expect(backOff).toMatchObject({ reason: 'ImagePullBackOff' });
    const retried = docker.spawnCount;
    await until(() => docker.spawnCount > retried);
    expect(docker.spawnCount).toBeGreaterThan(retried);
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    // Nobody waits any more: the pull is forgotten, not retried forever.
    expect(pulls.state(image)).toBeUndefined();
  }, 30_000);

  it('shares one pull between everyone waiting for the same image', async () => {
    const image = 'registry.invalid/shared:1';
    const own = new DockerCli();
    const shared = new ImagePulls({
      docker: own,
      log: createLogger({ test: 'image-pulls' }),
      initialBackoffMs: 60_000,
    });
    const ac = new AbortController();
    const a = shared.pull(image, ac.signal).catch(() => {});
    const b = shared.pull(image, ac.signal).catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    expect(own.spawnCount).toBe(1);
    ac.abort();
    await Promise.all([a, b]);
  });
});
