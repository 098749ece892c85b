/**
 * Carries out a volume plan on the host: the pod directory (0700), each volume's files with their
 * modes (written atomically, never through a symlink), emptyDirs, hostPaths, subPaths; and
 * removes all of it when the pod goes.
 */
import { constants as FS, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { invalidField, PluginError } from '../../errors.ts';
import { underAllowed } from '../../pod/volume-paths.ts';
import type { PlannedVolume, VolumeFile, VolumePlan } from '../../pod/volume-types.ts';
import { replaceFile } from '../nofollow-files.ts';
import { podStateDir } from '../state-dir.ts';
import { unmountAllUnder } from './host-mounts.ts';
import { fdPath, openBeneath, openVolumeRoot, UnsafePathError } from './safe-open.ts';
import { makePins } from './subpath-pins.ts';
import { removeTree } from './tree-removal.ts';

const RO_FILE_BITS = 0o440;
const RO_DIR_BITS = 0o550 | 0o2000;
const RW_DIR_BITS = 0o770 | 0o2000;

function writeError(what: string, err: unknown): PluginError {
  return new PluginError('internal', `could not ${what}: ${(err as Error).message}`, { cause: err });
}

/** mkdir that refuses to go through a symlink or a non-directory, then sets the mode exactly. */
async function ensureDir(path: string, mode: number): Promise<void> {
  try {
    const st = await fs.lstat(path);
    if (!st.isDirectory()) throw new PluginError('internal', `${path} exists and is not a directory`);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(path, { mode });
  // mkdir's mode passes through the umask.
  await fs.chmod(path, mode);
}

/** Creates root/rel's directories one by one, never through a symlink (root itself must exist). */
async function ensureDirsUnder(root: string, rel: string, mode: number): Promise<void> {
  let current = root;
  for (const part of rel.split('/').filter(Boolean)) {
    current = posix.join(current, part);
    await ensureDir(current, mode);
  }
}

async function writeFileAtomically(dir: string, file: VolumeFile): Promise<string> {
  const target = posix.join(dir, file.path);
  await ensureDirsUnder(dir, posix.dirname(file.path) === '.' ? '' : posix.dirname(file.path), 0o755);
  await replaceFile(target, file.content, file.mode);
  return target;
}

/** Like the kubelet's SetVolumeOwnership: group fsGroup, group-readable (and writable when rw), setgid dirs. */
async function applyFsGroup(root: string, fsGroup: number, readOnly: boolean): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    const st = await fs.lstat(path);
    if (st.isSymbolicLink()) return;
    await fs.lchown(path, -1, fsGroup);
    if (st.isDirectory()) {
      await fs.chmod(path, (st.mode & 0o7777) | (readOnly ? RO_DIR_BITS : RW_DIR_BITS));
      for (const entry of await fs.readdir(path)) await walk(posix.join(path, entry));
    } else {
      await fs.chmod(path, (st.mode & 0o7777) | (readOnly ? RO_FILE_BITS : 0o660));
    }
  };
  await walk(root);
}

/**
 * Makes a missing hostPath (its directories, or the file of FileOrCreate) beneath the allowed
 * directory it is under, never through a symlink: another pod that can write the allowed
 * directory could otherwise steer the creation to any host directory.
 */
async function createUnderAllowed(
  volume: Extract<PlannedVolume, { kind: 'hostPath' }>,
  allowed: readonly string[],
): Promise<void> {
  const prefix = allowed.find((a) => underAllowed(volume.hostPath, [a]));
  if (prefix === undefined)
    throw invalidField(volume.field, `${volume.hostPath} is not under an allowed host path`);
  const realPrefix = await fs.realpath(prefix);
  const rel = posix.relative(posix.normalize(prefix), volume.hostPath);
  const file = volume.type === 'FileOrCreate';
  const dirPart = file ? posix.dirname(rel) : rel;
  let root: FileHandle | undefined;
  let dir: FileHandle | undefined;
  try {
    root = await openVolumeRoot(realPrefix);
    dir = dirPart === '.' || dirPart === '' ? root : (await openBeneath(root, dirPart, 0o755)).handle;
    if (file) {
      const path = `${fdPath(dir)}/${posix.basename(rel)}`;
      // Made only if still missing (O_EXCL): what another pod put there since the stat (a FIFO,
      // whose open would wait for a reader for ever; a device node) is never opened; the type
      // check below then refuses it.
      await fs.open(path, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o644).then(
        (made) => made.close(),
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        },
      );
    }
  } catch (err) {
    if (err instanceof UnsafePathError || (err as NodeJS.ErrnoException).code === 'ELOOP')
      throw invalidField(volume.field, `${volume.hostPath} goes through a symlink or a file under ${prefix}`);
    throw err;
  } finally {
    if (dir && dir !== root) await dir.close();
    await root?.close();
  }
}

async function prepareHostPath(
  volume: Extract<PlannedVolume, { kind: 'hostPath' }>,
  allowed: readonly string[],
): Promise<void> {
  let st = await fs.stat(volume.hostPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!st) {
    if (volume.type === 'FileOrCreate' || volume.type === '' || volume.type === 'DirectoryOrCreate') {
      // DirectoryOrCreate as the kubelet; '' as containerd, which makes a missing bind source a directory.
      await createUnderAllowed(volume, allowed);
    } else {
      throw invalidField(
        volume.field,
        `${volume.hostPath} does not exist on the host (hostPath type ${volume.type})`,
      );
    }
    st = await fs.stat(volume.hostPath);
  }
  const want: Record<string, [boolean, string]> = {
    Directory: [st.isDirectory(), 'a directory'],
    DirectoryOrCreate: [st.isDirectory(), 'a directory'],
    File: [st.isFile(), 'a file'],
    FileOrCreate: [st.isFile(), 'a file'],
    Socket: [st.isSocket(), 'a socket'],
    CharDevice: [st.isCharacterDevice(), 'a character device'],
    BlockDevice: [st.isBlockDevice(), 'a block device'],
  };
  const check = want[volume.type];
  if (check && !check[0])
    throw invalidField(volume.field, `${volume.hostPath} is not ${check[1]} (hostPath type ${volume.type})`);
  // A symlink under an allowed directory must not lead out of it.
  const real = await fs.realpath(volume.hostPath);
  const realAllowed = await Promise.all(allowed.map((a) => fs.realpath(a).catch(() => a)));
  if (!underAllowed(real, realAllowed)) {
    throw invalidField(
      volume.field,
      `${volume.hostPath} resolves to ${real}, which is not under an allowed host path (PLUGIN_ALLOWED_HOST_PATHS)`,
    );
  }
}

/** Carries out a plan: the pod directory (0700), every volume's files and directories, the subPaths' pins. Idempotent. */
export async function writePodVolumes(plan: VolumePlan): Promise<void> {
  try {
    await fs.mkdir(posix.dirname(plan.podDir), { recursive: true, mode: 0o700 });
    await ensureDir(plan.podDir, 0o700);
    await fs.chmod(plan.podDir, 0o700);
    const volumesDir = posix.join(plan.podDir, 'volumes');
    await ensureDir(volumesDir, 0o755);
    for (const volume of plan.volumes) {
      if (volume.kind === 'files') {
        await ensureDir(volume.hostDir, 0o755);
        for (const file of volume.files) await writeFileAtomically(volume.hostDir, file);
        if (plan.fsGroup !== undefined) await applyFsGroup(volume.hostDir, plan.fsGroup, true);
      } else if (volume.kind === 'emptyDir') {
        // As the kubelet: world-writable, since containers run as any user.
        await ensureDir(volume.hostDir, 0o777);
        if (plan.fsGroup !== undefined) {
          await fs.lchown(volume.hostDir, -1, plan.fsGroup);
          await fs.chmod(volume.hostDir, 0o2777);
        }
      } else if (volume.kind === 'hostPath') {
        await prepareHostPath(volume, plan.allowedHostPaths);
      }
    }
    await makePins(plan);
  } catch (err) {
    if (err instanceof PluginError) throw err;
    throw writeError(`write the volumes of pod ${plan.podUid} under ${plan.podDir}`, err);
  }
}

// A file written into the pod's directory while it is being removed (a restart count saved as a
// container restarts during delete) makes rm fail with ENOTEMPTY: Node's rm retries that.
const REMOVE = { recursive: true, force: true, maxRetries: 5 } as const;

/**
 * Removes everything written for a pod; nothing to remove is fine. Its mounts (subPath pins, and
 * whatever a container propagated into an emptyDir) are detached first: a recursive removal
 * through a live bind of a hostPath would delete the host's files.
 */
export async function removePodVolumes(stateDir: string, podUid: string): Promise<void> {
  const dir = podStateDir(stateDir, podUid);
  try {
    await unmountAllUnder(dir);
  } catch (err) {
    throw writeError(`detach the mounts of pod ${podUid}`, err);
  }
  try {
    await fs.rm(dir, REMOVE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A container may have nested directories in an emptyDir past what a path can name.
    if (code === 'ENAMETOOLONG') {
      await removeTree(dir).catch((again) => {
        throw writeError(`remove ${dir}`, again);
      });
      return;
    }
    // A container may have left a directory without write permission in an emptyDir.
    if (code !== 'EACCES' && code !== 'EPERM') throw writeError(`remove ${dir}`, err);
    await makeRemovable(dir);
    await fs.rm(dir, REMOVE).catch((again) => {
      throw writeError(`remove ${dir}`, again);
    });
  }
}

/**
 * Makes every directory under `path` writable by its owner, walking through opened descriptors
 * (O_NOFOLLOW): a directory swapped for a symlink meanwhile is not followed to a host file.
 */
async function makeRemovable(path: string): Promise<void> {
  const handle = await fs.open(path, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return;
  try {
    await handle.chmod(0o700).catch(() => undefined);
    const entries = await fs.readdir(fdPath(handle), { withFileTypes: true }).catch(() => []);
    for (const entry of entries)
      if (entry.isDirectory()) await makeRemovable(posix.join(fdPath(handle), entry.name));
  } finally {
    await handle.close();
  }
}
