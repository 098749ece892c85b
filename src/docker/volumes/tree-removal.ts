/**
 * Removes a directory tree however deep a container nested it. A container can nest directories
 * far past PATH_MAX (4096 bytes) with short steps of its own (`mkdir -p` of 500 levels, then
 * `mv` the tree so far to their bottom), and removal by path (fs.rm) cannot name what lies that
 * deep: it fails with ENAMETOOLONG. Here every name is one level below a directory this process
 * holds open (`/proc/self/fd/<n>/<name>`), never a path of the tree, and each directory's
 * subdirectories are first moved up into the tree's root (a rename within one file system), so
 * how deep the tree was never matters and at most two descriptors are open. Nothing is followed:
 * a symlink is removed as a link, and a directory is opened O_NOFOLLOW.
 */
import { randomUUID } from 'node:crypto';
import { constants as FS, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { fdPath } from './safe-open.ts';

const OPEN_DIR = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW;

/** Removes `path` and everything under it; a missing `path` is fine. */
export async function removeTree(path: string): Promise<void> {
  const root = await fs.open(path, OPEN_DIR).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!root) return;
  try {
    for (;;) {
      const entries = await fs.readdir(fdPath(root), { withFileTypes: true });
      if (entries.length === 0) break;
      for (const entry of entries) {
        const name = `${fdPath(root)}/${entry.name}`;
        if (!entry.isDirectory()) {
          await fs.unlink(name);
          continue;
        }
        const dir = await fs.open(name, OPEN_DIR);
        try {
          await emptyInto(dir, root);
        } finally {
          await dir.close();
        }
        await fs.rmdir(name);
      }
    }
  } finally {
    await root.close();
  }
  await fs.rmdir(path);
}

/** Unlinks what `dir` holds but its directories, which move into `root` (under fresh names). */
async function emptyInto(dir: FileHandle, root: FileHandle): Promise<void> {
  // A directory a container left without write permission (the plugin not root).
  await dir.chmod(0o700).catch(() => undefined);
  for (const entry of await fs.readdir(fdPath(dir), { withFileTypes: true })) {
    const name = `${fdPath(dir)}/${entry.name}`;
    if (entry.isDirectory()) await fs.rename(name, `${fdPath(root)}/.removing-${randomUUID()}`);
    else await fs.unlink(name);
  }
}
