/**
 * A second Docker engine for tests, beside the machine's own: its own socket, data root, exec
 * root, pidfile, bridge and cgroup parent under a fresh /tmp directory, so it shares nothing with
 * the first. stop() ends it (by its pid) and removes everything it made; halt() and start() stop
 * and start the daemon alone, keeping its state, as a daemon restart does.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SecondDockerd {
  /** unix:///…/docker.sock, for DOCKER_HOST. */
  host: string;
  /** Runs the docker CLI against this engine. */
  docker(args: readonly string[], input?: Buffer): Promise<string>;
  /** SIGTERM to the daemon; resolves once it has exited. Its data, socket path and bridge stay. */
  halt(): Promise<void>;
  /** Starts the halted daemon again; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Copies an image of the main engine (e.g. the test image) into the second one: no registry needed. */
export async function loadImage(engine: SecondDockerd, image: string): Promise<void> {
  const { stdout } = await run('docker', ['save', image], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  await engine.docker(['load'], stdout);
}

export interface SecondDockerdOptions {
  /**
   * A directory this engine must not see, as a remote engine would not: it runs in its own mount
   * namespace with an empty tmpfs over that path.
   */
  hide?: string;
}

export async function startSecondDockerd(options: SecondDockerdOptions = {}): Promise<SecondDockerd> {
  const dir = mkdtempSync('/tmp/second-dockerd-');
  const tag = randomBytes(2).toString('hex');
  const bridge = `dk2-${tag}`;
  const subnet = `10.${200 + (Number.parseInt(tag, 16) % 50)}.${Number.parseInt(tag.slice(2), 16)}`;
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
  const logFd = openSync(join(dir, 'dockerd.log'), 'a');
  const dockerdArgs = [
    '--host',
    host,
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'docker.pid'),
    '--bridge',
    bridge,
    '--cgroup-parent',
    `/second-dockerd-${tag}`,
    // The first engine owns the host's NAT and filter rules: this one leaves them alone.
    '--iptables=false',
    '--ip-masq=false',
  ];
  const [command, args] = options.hide
    ? [
        'unshare',
        // unshare and sh exec into dockerd: the child's pid stays dockerd's.
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount -t tmpfs hidden "$0" && exec dockerd "$@"',
          options.hide,
          ...dockerdArgs,
        ],
      ]
    : ['dockerd', dockerdArgs];
  let child: ChildProcess = spawn(command, args, { stdio: ['ignore', logFd, logFd], detached: true });
  const docker = async (args: readonly string[], input?: Buffer) => {
    const p = run('docker', ['-H', host, ...args], { maxBuffer: 64 * 1024 * 1024 });
    if (input) {
      p.child.stdin?.end(input);
    }
    return (await p).stdout;
  };
  const halt = async () => {
    const exited = new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
    await exited;
  };
  const stop = async () => {
    const ids = (await docker(['ps', '-aq']).catch(() => '')).split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '-f', ...ids]).catch(() => {});
    await halt();
    await run('ip', ['link', 'delete', bridge]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  const answering = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (
        await docker(['version', '--format', '{{.Server.Version}}']).then(
          () => true,
          () => false,
        )
      )
        return;
      if (child.exitCode !== null || Date.now() > deadline) {
        const logs = readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-3000);
        await stop();
        throw new Error(`the second dockerd did not start: ${logs}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const start = async () => {
    child = spawn(command, args, { stdio: ['ignore', logFd, logFd], detached: true });
    await answering();
  };
  await answering();
  return { host, docker, halt, start, stop };
}
