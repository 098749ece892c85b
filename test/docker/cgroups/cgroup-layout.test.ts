import { describe, expect, it } from 'vitest';
import {
  type CgroupLayout,
  cgroupDir,
  containerCgroupLeaf,
  podCgroupParent,
  podCgroupPath,
} from '../../../src/docker/cgroups/cgroup-layout.ts';

const UID = '7d3a0c9e-1b2f-4c1d-9a8e-0f1e2d3c4b5a';
const U = '7d3a0c9e_1b2f_4c1d_9a8e_0f1e2d3c4b5a';
const ID = 'ab'.repeat(32);
const layout = (driver: CgroupLayout['driver'], version: CgroupLayout['version']): CgroupLayout => ({
  driver,
  version,
  root: '/sys/fs/cgroup',
  instance: 'lab-1',
});

describe('pod cgroup layout', () => {
  it.each<[string, CgroupLayout, string, string]>([
    [
      'cgroupfs, v1',
      layout('cgroupfs', 1),
      `/interlink-lab_1/pod${U}`,
      `/sys/fs/cgroup/memory/interlink-lab_1/pod${U}/${ID}`,
    ],
    [
      'cgroupfs, v2',
      layout('cgroupfs', 2),
      `/interlink-lab_1/pod${U}`,
      `/sys/fs/cgroup/interlink-lab_1/pod${U}/${ID}`,
    ],
    [
      'systemd, v1',
      layout('systemd', 1),
      `interlink-lab_1-pod${U}.slice`,
      `/sys/fs/cgroup/memory/interlink.slice/interlink-lab_1.slice/interlink-lab_1-pod${U}.slice/docker-${ID}.scope`,
    ],
    [
      'systemd, v2',
      layout('systemd', 2),
      `interlink-lab_1-pod${U}.slice`,
      `/sys/fs/cgroup/interlink.slice/interlink-lab_1.slice/interlink-lab_1-pod${U}.slice/docker-${ID}.scope`,
    ],
  ])('with %s: the --cgroup-parent and where a container’s memory cgroup is', (_, l, parent, container) => {
    expect(podCgroupParent(l, UID)).toBe(parent);
    expect(cgroupDir(l, 'memory', `${podCgroupPath(l, UID)}/${containerCgroupLeaf(l.driver, ID)}`)).toBe(
      container,
    );
  });

  it('keeps an instance name from climbing out of the plugin’s cgroup', () => {
    expect(podCgroupParent({ driver: 'cgroupfs', instance: '../..' }, UID)).toBe(`/interlink-_____/pod${U}`);
  });
});
