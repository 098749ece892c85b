import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { statusFromInspect } from '../../../src/docker/view/container-status.ts';
import { StartFailures } from '../../../src/docker/view/start-failures.ts';
import { containerInspect, ZERO_TIME } from '../../fixtures/container-inspect.ts';

function inspect(state: Partial<ContainerInspect['State']> = {}): ContainerInspect {
  return containerInspect({ id: 'abc123', state: { StartedAt: ZERO_TIME, ...state } });
}

const failure = { message: 'exec: "nope": executable file not found in $PATH', exitCode: 127 };
const spec = { name: 'app', image: 'busybox:1.36' };

describe('start failures the engine did not keep', () => {
  it('report a container Podman left "created" without a reason as ContainerCannotRun, as Docker does', () => {
    const failures = new StartFailures();
    failures.note('abc123', failure);
    const c = inspect();
    failures.apply(c);
    expect(statusFromInspect(spec, c).state).toEqual({
      terminated: {
        exitCode: 127,
        reason: 'ContainerCannotRun',
        message: failure.message,
        containerID: 'docker://abc123',
      },
    });
  });

  it("leave the engine's own reason alone", () => {
    const failures = new StartFailures();
    failures.note('abc123', failure);
    const c = inspect({ Error: 'the engine says why', ExitCode: 126 });
    failures.apply(c);
    expect(c.State).toMatchObject({ Error: 'the engine says why', ExitCode: 126 });
  });

  it('are dropped once the container has run after all', () => {
    const failures = new StartFailures();
    failures.note('abc123', failure);
    failures.apply(inspect({ Status: 'exited', StartedAt: '2026-11-22T10:00:01Z' }));
    const again = inspect();
    failures.apply(again);
    expect(again.State.Error).toBe('');
  });

  it('touch no other container', () => {
    const failures = new StartFailures();
    failures.note('other', failure);
    const c = inspect();
    failures.apply(c);
    expect(c.State.Error).toBe('');
  });
});
