/**
 * The termination message files of a pod's containers, made empty before the containers are
 * created, as the kubelet makes one per container start (kuberuntime's makeMounts): mode 0666
 * whatever the umask, so a container of any user can write its message. The directory is the
 * plugin's own (the pod's state dir); a container sees only its one file, bind-mounted, and can
 * change its content, never which inode the host path names.
 */
import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';

const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

/** Makes each file empty (a retried create's too). A link or FIFO in its place fails the open. */
export async function makeTerminationFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    await fs.mkdir(dirname(file), { recursive: true, mode: 0o755 });
    const handle = await fs.open(
      file,
      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
      0o666,
    );
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error(`${file} is not a regular file`);
      await handle.chmod(0o666);
    } finally {
      await handle.close();
    }
  }
}
