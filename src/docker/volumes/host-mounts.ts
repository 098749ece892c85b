/**
 * The few mounts the plugin makes on the host (subPath pins, subpath-pins.ts), made and undone
 * with util-linux's mount/umount run with argv, and the mount table read from
 * /proc/self/mountinfo. Only a plugin that runs as root in the host's mount namespace can mount;
 * canMakeMounts tells, once, at start-up.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or under `dir` in this process's mount namespace, deepest last as the kernel lists them. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return table
    .split('\n')
    .map((line) => unescapeField(line.split(' ')[4] ?? ''))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

/** Binds what an open descriptor of this process names onto `target`: a swap of its path later changes nothing. */
export async function bindDescriptor(fdPathOfThisProcess: string, target: string): Promise<void> {
  // The mount command is another process: it reaches our descriptor through /proc/<our pid>/fd.
  const source = fdPathOfThisProcess.replace('/proc/self/', `/proc/${process.pid}/`);
  await run('mount', ['--no-canonicalize', '--bind', source, target], { timeout: TIMEOUT_MS });
}

/** A small private tmpfs at `target` (mode 0700): pin points live there, and vanish with a reboot. */
export async function mountTmpfs(target: string): Promise<void> {
  await run(
    'mount',
    ['--no-canonicalize', '-t', 'tmpfs', '-o', 'mode=0700,size=1m,nr_inodes=4096', 'tmpfs', target],
    {
      timeout: TIMEOUT_MS,
    },
  );
  await run('mount', ['--no-canonicalize', '--make-private', target], { timeout: TIMEOUT_MS });
}

/** Lazily detaches one mount point; already gone is fine. */
export async function unmount(target: string): Promise<void> {
  try {
    await run('umount', ['--no-canonicalize', '--lazy', target], { timeout: TIMEOUT_MS });
  } catch (err) {
    if ((await mountsUnder(target)).includes(target)) throw err;
  }
}

/**
 * Detaches every mount at or under `dir`, deepest first, and checks none is left: a recursive
 * removal that went through a live bind of a hostPath would delete the host's files.
 */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    // Deepest first; the same point may be stacked several times.
    for (const point of [...points].reverse()) await unmount(point).catch(() => {});
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`mounts under ${dir} could not be detached: ${left.join(', ')}`);
}

/**
 * Whether this process can make mounts that Docker sees (true, or why not): a tmpfs can be mounted in the state dir,
 * and the daemon finds a directory made inside it (`seenByDocker` throws when it does not: the
 * plugin runs in a mount namespace of its own, e.g. a systemd unit with PrivateTmp, or the engine
 * is remote).
 */
export async function canMakeMounts(
  stateDir: string,
  seenByDocker: (dir: string) => Promise<void>,
): Promise<true | string> {
  // Where PID 1's namespace can be read, a different one settles it without trying.
  const [self, init] = await Promise.all([
    fs.readlink('/proc/self/ns/mnt').catch(() => undefined),
    fs.readlink('/proc/1/ns/mnt').catch(() => undefined),
  ]);
  if (self && init && self !== init) return 'it runs in a mount namespace of its own';
  const probe = join(stateDir, `.mount-probe-${randomUUID()}`);
  let mounted = false;
  try {
    await fs.mkdir(probe, { recursive: true, mode: 0o700 });
    await mountTmpfs(probe);
    mounted = true;
    await seenByDocker(probe);
    return true;
  } catch (err) {
    return (err as Error).message;
  } finally {
    if (mounted) await unmount(probe).catch(() => {});
    await fs.rmdir(probe).catch(() => {});
  }
}
