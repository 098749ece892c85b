/**
 * Why containers could not start, where the engine does not keep it (Podman leaves them "created"
 * with no error: engine/start-failure.ts). Whoever starts a container notes the failure here; the
 * view puts it in the container's state as Docker would have, so the status reports
 * ContainerCannotRun with the reason and nothing tries to start the container again. Kept in
 * memory only: after a plugin restart the next start fails the same way and is noted again.
 */

import type { ContainerInspect } from '../engine/inspect-types.ts';
import type { StartFailure } from '../engine/start-failure.ts';

export class StartFailures {
  private readonly byId = new Map<string, StartFailure>();

  note(id: string, failure: StartFailure): void {
    this.byId.set(id, failure);
  }

  /** Gives a container the engine left "created" without a reason the one its start failed with. */
  apply(c: ContainerInspect): void {
    const failure = this.byId.get(c.Id);
    if (!failure) return;
    if (c.State.Status !== 'created') this.byId.delete(c.Id);
    else if (!c.State.Error) {
      c.State.Error = failure.message;
      c.State.ExitCode = failure.exitCode;
    }
  }

  forget(id: string): void {
    this.byId.delete(id);
  }
}
