/** What the plugin reads of the Docker host, against the real engine. */
import { expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { HostInfo } from '../../../src/docker/engine/host-info.ts';
import { buildPod } from '../../fixtures/pod-builder.ts';
import { describeDocker } from '../../helpers/docker.ts';

describeDocker('host info', () => {
  it('asks Docker once for the engine however often it is asked within a minute', async () => {
    const docker = new DockerCli();
    const host = new HostInfo(docker);
    const first = await host.engine();
    const again = await Promise.all([host.engine(), host.engine()]);
    expect(again).toEqual([first, first]);
    expect(docker.spawnCount).toBe(1);
    expect(first.NCPU).toBeGreaterThan(0);
  });

  it('gives a pod the node size and the user of each present image a security check needs', async () => {
    const host = new HostInfo(new DockerCli());
    const pod = buildPod({
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['true'] }],
      securityContext: { runAsNonRoot: true },
    });
    const facts = await host.factsFor(pod);
    expect(facts.nodeAllocatable.cpu).toBeGreaterThan(0);
    expect(facts.nodeAllocatable.memory).toBeGreaterThan(0);
    expect(facts.imageUsers.get('busybox:1.36')).toBe('');
  });

  it('does not keep a failed read: the next ask tries again', async () => {
    const host = new HostInfo(new DockerCli('false'));
    await expect(host.engine()).rejects.toThrow();
    const docker = new DockerCli('false');
    const again = new HostInfo(docker);
    await again.engine().catch(() => {});
    await again.engine().catch(() => {});
    expect(docker.spawnCount).toBe(2);
  });
});
