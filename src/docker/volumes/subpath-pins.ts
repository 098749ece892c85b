/**
 * subPaths (and hostPaths) pinned as the kubelet pins subPaths (pkg/volume/util/subpath/subpath_linux.go). Docker
 * resolves a bind source again on every start, its own restarts included, so a container that
 * swaps `<volume>/<subPath>` for a symlink to / would get the host's root on its next start. The
 * source Docker is given is therefore a pin: the subPath opened one component at a time without
 * following symlinks (safe-open.ts), and that open descriptor bind-mounted at
 * `<pod dir>/pins/<container>/<mount index>`, a path no container sees. A swap after the open
 * changes nothing. Pins are made when the pod is written, made again right before each start the
 * plugin itself makes (so a symlink planted by an init container or a sibling is refused, as the
 * kubelet refuses it), and detached before the pod's directory is removed.
 *
 * The pins directory is a small tmpfs: after a host reboot the pin points are gone, so Docker
 * cannot start a container on an unpinned pin point (it refuses a missing bind source), and the
 * plugin's revival pins again first. What to pin is kept in `<pod dir>/pins.json`.
 *
 * Every hostPath mount is pinned too, opened beneath the allowed directory it lies in: a pod that
 * may write an allowed directory could otherwise swap a component of another pod's hostPath (or
 * of its own) for a symlink to / between two starts. The kubelet does not do this (hostPath is a
 * privileged volume there); here PLUGIN_ALLOWED_HOST_PATHS hands it to ordinary pods.
 */
import { constants as FS, promises as fs } from 'node:fs';
import { posix } from 'node:path';
import { invalidField } from '../../errors.ts';
import { underAllowed } from '../../pod/volume-paths.ts';
import type { VolumePlan } from '../../pod/volume-types.ts';
import { replaceFile } from '../nofollow-files.ts';
import { bindDescriptor, mountsUnder, mountTmpfs, unmount } from './host-mounts.ts';
import { fdPath, openBeneath, openVolumeRoot, UnsafePathError } from './safe-open.ts';

const RECORD_FILE = 'pins.json';

/** One pinned mount: enough to pin it again after a plugin restart or a reboot. */
export interface PinRecord {
  container: string;
  /** The mount's index in the container's volumeMounts. */
  index: number;
  volume: string;
  /** The volume's root on the host, as a real path (for a hostPath: its allowed directory's). */
  root: string;
  /** The path pinned, beneath `root` (a hostPath's own components, then the mount's subPath). */
  subPath: string;
  /** Components of `subPath` before this one must exist: a hostPath's own, made when the pod was written. */
  makeFrom?: number;
  /** A hostPath mounted whole: refusals name the hostPath, not a subPath. */
  hostPath?: string;
}

/** Where a container's mount is pinned; under the pod's directory, seen by no container. */
export function pinPoint(podDir: string, container: string, index: number): string {
  return posix.join(podDir, 'pins', container, String(index));
}

/** The kubelet's words when a subPath cannot be prepared. */
export function refusalMessage(
  record: Pick<PinRecord, 'container' | 'volume' | 'subPath' | 'hostPath'>,
  why: string,
): string {
  const [what, path] =
    record.hostPath === undefined ? ['subPath', record.subPath] : ['hostPath', record.hostPath];
  return `failed to prepare ${what} for volumeMount "${record.volume}" of container "${record.container}": ${path} ${why}`;
}

async function ensurePinsMount(podDir: string): Promise<void> {
  const dir = posix.join(podDir, 'pins');
  const st = await fs.lstat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (!st) await fs.mkdir(dir, { mode: 0o700 });
  if (!(await mountsUnder(dir)).includes(dir)) await mountTmpfs(dir);
}

/** Opens the subPath safely and binds it at its pin point, replacing what was pinned there. */
async function pinOne(podDir: string, record: PinRecord): Promise<void> {
  const root = await openVolumeRoot(record.root);
  try {
    const mode = (await root.stat()).mode & 0o7777;
    const { handle, isDirectory } = await openBeneath(root, record.subPath, mode, record.makeFrom ?? 0);
    try {
      const point = pinPoint(podDir, record.container, record.index);
      // The pins tmpfs is the plugin's alone: what is found there was made here.
      await fs.mkdir(posix.dirname(point), { recursive: true, mode: 0o700 });
      if ((await mountsUnder(point)).length > 0) await unmount(point);
      const st = await fs.lstat(point).catch(() => undefined);
      if (st && st.isDirectory() !== isDirectory) await fs.rm(point, { recursive: false, force: true });
      if (!st || st.isDirectory() !== isDirectory) {
        if (isDirectory) await fs.mkdir(point, { mode: 0o700 });
        else
          await (await fs.open(point, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600)).close();
      }
      await bindDescriptor(fdPath(handle), point);
    } finally {
      await handle.close();
    }
  } finally {
    await root.close();
  }
}

async function readRecords(podDir: string): Promise<PinRecord[]> {
  try {
    const handle = await fs.open(posix.join(podDir, RECORD_FILE), FS.O_RDONLY | FS.O_NOFOLLOW);
    try {
      return JSON.parse(await handle.readFile('utf8')) as PinRecord[];
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function writeRecords(podDir: string, records: PinRecord[]): Promise<void> {
  await replaceFile(posix.join(podDir, RECORD_FILE), JSON.stringify(records), 0o600);
}

type PlannedRecord = PinRecord & { field: string };

/** The records of a plan's pinned mounts (hostPaths beneath their allowed directory's real path). */
async function recordsOf(plan: VolumePlan): Promise<PlannedRecord[]> {
  const out: PlannedRecord[] = [];
  for (const [container, mounts] of plan.mounts) {
    for (const [index, m] of mounts.entries()) {
      if (!m.pin) continue;
      const volume = m.planned;
      const base = { container, index, volume: m.volume, field: m.field };
      if (volume.kind === 'emptyDir') out.push({ ...base, root: volume.hostDir, subPath: m.subPath });
      else if (volume.kind === 'hostPath') {
        const prefix = plan.allowedHostPaths.find((a) => underAllowed(volume.hostPath, [a]));
        // The plan refused a hostPath outside them; this is only a second lock.
        if (prefix === undefined)
          throw invalidField(volume.field, `${volume.hostPath} is not under an allowed host path`);
        const own = posix.relative(posix.normalize(prefix), volume.hostPath);
        const ownParts = own.split('/').filter(Boolean).length;
        out.push({
          ...base,
          root: await fs.realpath(prefix),
          subPath: [own, m.subPath].filter(Boolean).join('/'),
          makeFrom: ownParts,
          ...(m.subPath === '' ? { hostPath: volume.hostPath, field: volume.field } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Pins every subPath of the plan that lies in a writable volume, making missing directories as
 * the kubelet does. Called when the pod's files are written, before any container exists: a
 * subPath that goes through a symlink is refused with a 422.
 */
export async function makePins(plan: VolumePlan): Promise<void> {
  const records = await recordsOf(plan);
  if (records.length === 0) return;
  await writeRecords(
    plan.podDir,
    records.map(({ field: _field, ...r }) => r),
  );
  await ensurePinsMount(plan.podDir);
  for (const record of records) {
    try {
      await pinOne(plan.podDir, record);
    } catch (err) {
      if (!(err instanceof UnsafePathError)) throw err;
      throw invalidField(
        record.hostPath === undefined ? `${record.field}/subPath` : record.field,
        refusalMessage(record, `goes through a symlink or a file: ${err.message}`),
      );
    }
  }
}

/**
 * Pins the containers' subPaths again right before the plugin starts them, from the records on
 * disk (a plugin restart or a reboot loses nothing). Returns, per container whose subPath is now
 * unsafe, the message to show; those must not be started.
 */
export async function repin(podDir: string, containers: readonly string[]): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  const records = (await readRecords(podDir)).filter((r) => containers.includes(r.container));
  if (records.length === 0) return refused;
  await ensurePinsMount(podDir);
  for (const record of records) {
    if (refused.has(record.container)) continue;
    try {
      await pinOne(podDir, record);
    } catch (err) {
      // Never start on a pin point that is not pinned (after a reboot it is an empty directory).
      const why =
        err instanceof UnsafePathError ? `goes through a symlink or a file` : (err as Error).message;
      refused.set(record.container, refusalMessage(record, why));
    }
  }
  return refused;
}
