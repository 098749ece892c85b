import { describe, expect, it } from 'vitest';
import { withoutHostPaths } from '../../../src/docker/engine/user-words.ts';

const STATE = '/srv/plugin-state';

describe('withoutHostPaths', () => {
  it.each([
    [
      'the state dir in a bind error',
      `invalid mount config for type "bind": bind source path does not exist: ${STATE}/pods/u/volumes/data`,
      'invalid mount config for type "bind": bind source path does not exist: (a host path)',
    ],
    [
      "Docker's data root",
      'mkdir /var/lib/docker/overlay2/abc/merged: read-only file system',
      'mkdir (a host path): read-only file system',
    ],
    [
      'a containerd socket, quoted',
      'dial unix "/run/containerd/containerd.sock": connect: no such file',
      'dial unix "(a host path)": connect: no such file',
    ],
    [
      'paths inside the container, which the user wrote',
      'exec: "/app/run": stat /app/run: no such file or directory',
      'exec: "/app/run": stat /app/run: no such file or directory',
    ],
    ['a path that only starts like the state dir', `${STATE}-other/x`, `${STATE}-other/x`],
    [
      'an image name',
      'pull access denied for localhost/x, repository does not exist',
      'pull access denied for localhost/x, repository does not exist',
    ],
  ])('%s', (_n, text, want) => {
    expect(withoutHostPaths(text, [STATE])).toBe(want);
  });
});
