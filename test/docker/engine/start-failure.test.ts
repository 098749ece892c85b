import { describe, expect, it } from 'vitest';
import { startFailureOf } from '../../../src/docker/engine/start-failure.ts';

describe('why a container could not start, from the failed start', () => {
  it.each([
    [
      "Podman's answer when the command is not in the image",
      'Error response from daemon: runc: runc create failed: unable to start container process: exec: "-c": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found\nError: failed to start containers: k8s_x\n',
      {
        message:
          'runc: runc create failed: unable to start container process: exec: "-c": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found',
        exitCode: 127,
      },
    ],
    [
      'a command that may not be run',
      'Error response from daemon: runc: exec: "/etc/passwd": permission denied: OCI permission denied\n',
      { message: 'runc: exec: "/etc/passwd": permission denied: OCI permission denied', exitCode: 126 },
    ],
    [
      'any other failure',
      'Error response from daemon: crun: mount proc: operation not permitted\n',
      { message: 'crun: mount proc: operation not permitted', exitCode: 128 },
    ],
    ['an answer without the daemon line', 'something broke\n', { message: 'something broke', exitCode: 128 }],
    ['no answer at all', '', { message: 'the container could not start', exitCode: 128 }],
  ])('reads %s', (_name, stderr, want) => {
    expect(startFailureOf(stderr)).toEqual(want);
  });
});
