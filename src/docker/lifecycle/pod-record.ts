/**
 * How far a pod's create or delete got, on disk next to its files (`<state-dir>/pods/<uid>/pod.json`),
 * so a plugin that died half-way knows at start-up which pods are not whole. Written atomically
 * (a new file, then rename) before anything of the pod exists and again once all of it does;
 * "deleting" before anything is removed. The record names the plugin instance that wrote it, so
 * two plugins sharing a state directory never touch each other's pods.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { podFile, podStateDir, podsDir } from '../state-dir.ts';

export type PodPhase = 'creating' | 'created' | 'deleting';

interface RecordFile {
  instance: string;
  phase: PodPhase;
}

const FILE = 'pod.json';

/** A pod directory being born: `.new-<instance>-<uid>-<random>`, renamed into place once it holds its record. */
const NEW_DIR = /^\.new-(.+)-([^-]+)$/;

export class PodRecords {
  constructor(
    private readonly stateDir: string,
    private readonly instance: string,
  ) {}

  /** Records the pod's phase, creating its directory (0700) if need be; atomic at every step. */
  async write(uid: string, phase: PodPhase): Promise<void> {
    const dir = podStateDir(this.stateDir, uid);
    const body = JSON.stringify({ instance: this.instance, phase } satisfies RecordFile);
    const exists = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) {
      // Born complete: a directory holding its record, or no directory at all.
      const parent = podsDir(this.stateDir);
      await fs.mkdir(parent, { recursive: true, mode: 0o700 });
      const temp = join(parent, `.new-${this.instance}-${randomBytes(6).toString('hex')}`);
      await fs.mkdir(temp, { mode: 0o700 });
      await fs.writeFile(join(temp, FILE), body, { mode: 0o600 });
      try {
        await fs.rename(temp, dir);
        return;
      } catch {
        // Made meanwhile: write into it below.
        await fs.rm(temp, { recursive: true, force: true });
      }
    }
    const temp = join(dir, `.${FILE}.${randomBytes(6).toString('hex')}`);
    await fs.writeFile(temp, body, { mode: 0o600 });
    await fs.rename(temp, join(dir, FILE));
  }

  /** The pod's phase as this instance recorded it; undefined when there is no record of ours. */
  async read(uid: string): Promise<PodPhase | undefined> {
    const text = await fs.readFile(podFile(this.stateDir, uid, FILE), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as RecordFile;
      return record.instance === this.instance ? record.phase : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Every pod of this instance whose create or delete did not finish, and removes the directories
   * this instance had not finished making.
   */
  async unfinished(): Promise<string[]> {
    const parent = podsDir(this.stateDir);
    const entries = await fs.readdir(parent).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of entries) {
      const born = NEW_DIR.exec(name);
      if (born) {
        if (born[1] === this.instance) await fs.rm(join(parent, name), { recursive: true, force: true });
        continue;
      }
      if (name.startsWith('.')) continue;
      const phase = await this.read(name);
      if (phase === 'creating' || phase === 'deleting') out.push(name);
    }
    return out;
  }
}
