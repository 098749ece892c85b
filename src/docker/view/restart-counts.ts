/**
 * Kubernetes' restartCount across Docker's resets. Docker counts only the restarts its restart
 * manager made since the last `docker start`, and a daemon restart (or a start by the plugin) puts
 * the count back to 0. Here every new run of a container whose count did not grow adds what Docker
 * forgot. Kept per pod in its state dir (`restarts.json`), so a plugin restart keeps the counts and
 * still sees a reset that happened while it was down.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { podStateDir, podsDir } from '../state-dir.ts';

interface Seen {
  /** The run last seen, and Docker's own count then. */
  startedAt: string;
  raw: number;
  /** Restarts Docker no longer counts. */
  offset: number;
}

const FILE = 'restarts.json';

export class RestartCounts {
  private readonly byPod = new Map<string, Map<string, Seen>>();
  private saving = Promise.resolve();

  constructor(private readonly stateDir: string) {}

  /** Reads what earlier runs of the plugin recorded, before the view first reads Docker. */
  async load(): Promise<void> {
    const pods = await fs.readdir(podsDir(this.stateDir)).catch(() => [] as string[]);
    for (const uid of pods) {
      if (uid.startsWith('.')) continue;
      const text = await fs.readFile(join(podsDir(this.stateDir), uid, FILE), 'utf8').catch(() => '');
      if (!text) continue;
      try {
        this.byPod.set(uid, new Map(Object.entries(JSON.parse(text) as Record<string, Seen>)));
      } catch {}
    }
  }

  /** Turns Docker's count in `c` (as inspected) into the pod's restart count; records a new run. */
  adjust(c: ContainerInspect): void {
    const uid = c.Config.Labels?.[LABEL.podUid];
    if (!uid) return;
    const pod = this.byPod.get(uid) ?? new Map<string, Seen>();
    this.byPod.set(uid, pod);
    const prev = pod.get(c.Id);
    const raw = c.RestartCount;
    const startedAt = c.State.StartedAt;
    let offset = prev?.offset ?? 0;
    // Docker counts a restart when it schedules it, so a run it restarted has a count of 1 or more.
    // A new run counted 0, or counted less than the run before, followed a start that reset it.
    const newRun =
      prev && startedAt !== prev.startedAt && !isZeroTime(startedAt) && !isZeroTime(prev.startedAt);
    if (prev && newRun && (raw === 0 || raw < prev.raw)) offset += prev.raw + 1;
    c.RestartCount = raw + offset;
    if (prev && prev.startedAt === startedAt && prev.raw === raw) return;
    pod.set(c.Id, { startedAt, raw, offset });
    this.save(uid);
  }

  /** Resolves once every count recorded so far is on disk. */
  saved(): Promise<void> {
    return this.saving;
  }

  /** Drops a deleted pod's counts. */
  forget(uid: string): void {
    this.byPod.delete(uid);
  }

  private save(uid: string): void {
    const pod = this.byPod.get(uid);
    if (!pod) return;
    const body = JSON.stringify(Object.fromEntries(pod));
    const dir = podStateDir(this.stateDir, uid);
    // One write at a time, in order; a pod whose directory is gone (deleted) has nothing to keep.
    this.saving = this.saving
      .then(async () => {
        const temp = join(dir, `.${FILE}.tmp`);
        await fs.writeFile(temp, body, { mode: 0o600 });
        await fs.rename(temp, join(dir, FILE));
      })
      .catch(() => {});
  }
}
