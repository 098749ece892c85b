/**
 * Opening a path inside a volume the way the kubelet's subpath_linux.go does: one component at a
 * time, each relative to the directory opened before it (through /proc/self/fd/<fd>), never
 * following a symlink. A container that swaps a component for a symlink meanwhile gets a refusal,
 * never a descriptor outside the volume. Descriptors are O_PATH: nothing is read, no device opened.
 */
import { constants as FS, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Linux O_PATH (Node does not export it): a descriptor that only names an inode. */
const O_PATH = 0o10000000;
const DIR_FLAGS = O_PATH | FS.O_DIRECTORY | FS.O_NOFOLLOW;

/** A component is a symlink, or not a directory where one is needed: the subPath is refused. */
export class UnsafePathError extends Error {}

/** The path of an open descriptor that the kernel resolves to its inode, for this process or a child it spawns. */
export function fdPath(handle: FileHandle, pid: number | 'self' = 'self'): string {
  return `/proc/${pid}/fd/${handle.fd}`;
}

/**
 * Opens a volume's root directory, refusing a symlink as its last component. `expected` is the
 * real path the root must have (checked after the open, so a swap of a parent meanwhile is seen).
 */
export async function openVolumeRoot(path: string, expected = path): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path, DIR_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') throw new UnsafePathError(`${path} is not a directory`);
    throw err;
  }
  const real = await fs.readlink(fdPath(handle)).catch(() => '');
  if (real !== expected) {
    await handle.close();
    throw new UnsafePathError(`${path} changed while it was opened`);
  }
  return handle;
}

export interface OpenedBeneath {
  handle: FileHandle;
  isDirectory: boolean;
}

/**
 * Opens `rel` (normalised, no '..') beneath `root`, component by component without following
 * symlinks; missing directories are made with `mode`, as the kubelet's SafeMakeDir does, from
 * component `makeFrom` on (those before it must exist: a hostPath's own components, which the
 * plugin made when the pod was written). The last component may be of any type but a symlink (a
 * hostPath names sockets and devices too; O_PATH opens none of them). The caller closes the handle.
 */
export async function openBeneath(
  root: FileHandle,
  rel: string,
  mode: number,
  makeFrom = 0,
): Promise<OpenedBeneath> {
  const parts = rel.split('/').filter((part) => part !== '' && part !== '.');
  let current = root;
  try {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const last = i === parts.length - 1;
      const next = await openComponent(current, part, last, i >= makeFrom ? mode : undefined);
      if (current !== root) await current.close();
      current = next;
    }
    const st = await current.stat();
    if (st.isSymbolicLink()) throw new UnsafePathError(`${rel} is a symlink`);
    // The root stays the caller's: hand back a handle of our own.
    // (/proc/self/fd/<n> is a link the kernel resolves itself: followed on purpose.)
    if (current === root) current = await fs.open(fdPath(root), O_PATH | FS.O_DIRECTORY);
    return { handle: current, isDirectory: st.isDirectory() };
  } catch (err) {
    if (current !== root) await current.close().catch(() => {});
    throw err;
  }
}

async function openComponent(
  dir: FileHandle,
  part: string,
  last: boolean,
  /** Undefined: a missing component is not made. */
  mode: number | undefined,
): Promise<FileHandle> {
  const path = `${fdPath(dir)}/${part}`;
  // Intermediate components must be directories; the last may be a file (O_NOFOLLOW alone then
  // opens a symlink itself with O_PATH, which the stat after it refuses).
  const flags = last ? O_PATH | FS.O_NOFOLLOW : DIR_FLAGS;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await fs.open(path, flags);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR')
        throw new UnsafePathError(`${part} is a symlink or not a directory`);
      if (code === 'ENOENT' && mode === undefined) throw new UnsafePathError(`${part} does not exist`);
      if (code !== 'ENOENT' || attempt > 0 || mode === undefined) throw err;
    }
    // mkdir never follows a symlink in its last component: a planted one makes EEXIST, and the
    // open above refuses it.
    await fs.mkdir(path, { mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const made = await fs.open(path, DIR_FLAGS).catch(() => undefined);
    if (made) {
      // mkdir's mode passes through the umask; chmod through the descriptor names the same inode.
      await fs.chmod(fdPath(made), mode);
      return made;
    }
  }
  throw new UnsafePathError(`${part} could not be opened`);
}
