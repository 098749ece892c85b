/**
 * Reading and writing files by a path whose last component a container may have planted (a
 * symlink to a host file, a FIFO, a device node): the link is never followed, and only a regular
 * file of bounded size is read. The directories above the last component must be the plugin's
 * own: a container can swap what is in the directory it sees, not the directory itself.
 */

import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

export type ReadOutcome = { ok: true; text: string } | { ok: false; why: string };

/**
 * The text of a regular file of at most `maxBytes`. A symlink fails the open (ELOOP) instead of
 * being followed; O_NONBLOCK keeps a planted FIFO from hanging the open, and fstat refuses it.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<ReadOutcome> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, why: 'is missing' };
    if (code === 'ELOOP') return { ok: false, why: 'is not a regular file (a symbolic link)' };
    return { ok: false, why: `cannot be read (${code ?? (err as Error).message})` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, why: 'is not a regular file' };
    if (st.size > maxBytes) return { ok: false, why: `is larger than ${maxBytes} bytes` };
    // The file may grow after fstat: read one byte more than allowed to notice.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { ok: false, why: `is larger than ${maxBytes} bytes` };
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Whether `path` itself (not what a link there points at) is a regular file. */
export async function isRegularFile(path: string): Promise<boolean> {
  const st = await fs.lstat(path).catch(() => undefined);
  return st?.isFile() === true;
}

/**
 * Puts `content` at `path` as a new file: written to a fresh name (O_CREAT|O_EXCL, never an
 * existing file or link, mode 0600 while it is written) and renamed over `path`, which replaces
 * whatever entry is there instead of writing through it. A container that mounts the old file
 * keeps its content.
 */
export async function replaceFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(content);
    // The mode asked for, whatever the plugin's umask: a container's non-root user reads the resolver.
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path).catch(async (err: unknown) => {
    await fs.rm(temp, { force: true });
    throw err;
  });
}
