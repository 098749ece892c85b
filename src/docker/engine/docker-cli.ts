/**
 * Runs the docker CLI with an argument vector, never through a shell, keeping the caller's
 * environment (DOCKER_HOST, DOCKER_CONTEXT, ...). Every spawn is counted so tests can prove a
 * path spawns nothing.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the process's stdin, then closed. */
  input?: Uint8Array | string;
  /** Extra environment for this call only. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Kill the process after this long (ms); 0 = never. Default: the CLI's per-verb timeout. */
  timeoutMs?: number;
  /** Told each piece of stdout as it comes (the whole of it is still in the result). */
  onStdout?: (chunk: Buffer) => void;
  /**
   * The process ends by itself in a moment (every `run` but a pull; a `logs` that does not
   * follow), so Go's collector may wait: see BRIEF_GOGC. Default: true for `run`, false for `spawn`.
   */
  brief?: boolean;
  /**
   * Keep at most this many bytes of stdout and of stderr each (the first ones; the rest is read
   * and dropped). For output a container chooses (an exec probe): kept whole, it could fill the
   * plugin's memory. Default: all of it.
   */
  maxOutputBytes?: number;
}

/**
 * GOGC of a brief docker call. Starting up, the CLI allocates 4–8 MB (its commands, flags, JSON
 * type tables); Go's first collection comes at 4 MB (GOGC=100), so nearly every call paid one:
 * `docker logs` of a container took 14–15.5 ms of CPU, 11.5–12.5 ms with GOGC=400 (the first
 * collection at 16 MB). A call that keeps more (an inspect of many containers) still collects, at
 * five times its live heap instead of twice. A GOGC the operator set is kept.
 */
const BRIEF_GOGC = '400';

/**
 * A call that prints more than this on stdout or stderr (without maxOutputBytes) is stopped and
 * fails: past ~512 MiB the text could not even be made a string, and the plugin would exit.
 * Nothing the plugin asks for comes near it (an inspect of 2000 containers is ~20 MB), but what a
 * container or an image carries (labels copied from the image) is printed by some calls.
 */
export const OUTPUT_CEILING_BYTES = 256 * 1024 * 1024;

/** How long a docker process may run before it is killed (ms). */
export interface DockerTimeouts {
  /** Every call but pulls (a stop adds its grace period to this). */
  callMs: number;
  /** `docker pull`: a large image over a slow link takes minutes. */
  pullMs: number;
}

const DEFAULT_TIMEOUTS: DockerTimeouts = { callMs: 60_000, pullMs: 1_800_000 };

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** A failed docker command: the command (values of -e/--env and --label hidden), exit code and stderr. */
export class DockerCliError extends Error {
  override name = 'DockerCliError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`\`${command}\` failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`);
  }

  /** The CLI could not reach the daemon (stopped, restarting, socket gone), rather than being refused by it. */
  get daemonUnreachable(): boolean {
    return DAEMON_UNREACHABLE.test(this.stderr);
  }

  /** Docker's own words, without the "Error response from daemon:" prefix. */
  get reason(): string {
    return this.stderr.trim().replace(/^Error( response from daemon)?:\s*/i, '');
  }
}

/** What the docker CLI prints when no daemon answers on its socket (or TCP address). */
const DAEMON_UNREACHABLE =
  /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|connect: (connection refused|no such file or directory)|dial (unix|tcp) [^\n]*: (connect|i\/o timeout)/i;

/** Whether `err` (or an error it was caused by) is the docker CLI failing to reach the daemon. */
export function isDaemonUnreachable(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof DockerCliError && e.daemonUnreachable) return true;
  }
  return false;
}

const HIDDEN_VALUE_FLAGS = new Set(['-e', '--env', '--label', '-l']);

/** The command as it may be logged: secret-bearing values replaced by their names. */
export function describeCommand(bin: string, args: readonly string[]): string {
  const shown: string[] = [bin];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    shown.push(a);
    if (HIDDEN_VALUE_FLAGS.has(a) && i + 1 < args.length) {
      const value = args[++i] as string;
      const eq = value.indexOf('=');
      shown.push(eq >= 0 ? `${value.slice(0, eq)}=…` : value);
    }
  }
  return shown.map((s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : JSON.stringify(s))).join(' ');
}

/**
 * Watches every docker process (metrics, traces): `started` is called as it starts, in the
 * caller's async context; the function it returns once, when the process ends, with its exit
 * code (null: killed by a signal or never started).
 */
export interface DockerCallObserver {
  started(args: readonly string[]): (exitCode: number | null) => void;
}

export class DockerCli {
  /** How many docker processes this instance has started. */
  spawnCount = 0;
  readonly observers: DockerCallObserver[] = [];
  /** Whether the daemon answered the latest call that finished (a refusal is an answer too). */
  daemonAnswering = true;
  private readonly daemonListeners = new Set<(answering: boolean, reason: string) => void>();

  constructor(
    readonly bin: string = 'docker',
    readonly timeouts: DockerTimeouts = DEFAULT_TIMEOUTS,
    /** DOCKER_CONFIG for pulls: where registry credentials and credential helpers are read. */
    readonly pullConfigDir?: string,
  ) {}

  /**
   * The process environment of a call: the plugin's, GOGC for a brief one, the call's extras,
   * DOCKER_CONFIG for a pull.
   */
  private envFor(
    args: readonly string[],
    extra: Record<string, string> | undefined,
    brief: boolean,
  ): NodeJS.ProcessEnv {
    const pull = args[0] === 'pull';
    const config = pull && this.pullConfigDir ? { DOCKER_CONFIG: this.pullConfigDir } : undefined;
    const gc = brief && !pull && process.env.GOGC === undefined ? { GOGC: BRIEF_GOGC } : undefined;
    return extra || config || gc ? { ...process.env, ...gc, ...extra, ...config } : process.env;
  }

  /** The names in every docker process's environment (the plugin's own): a pod's variable never overrides one. */
  environmentNames(): ReadonlySet<string> {
    return new Set([...Object.keys(process.env), 'GOGC']);
  }

  /** The timeout of a call with these args, unless the caller sets its own. */
  timeoutFor(args: readonly string[]): number {
    return args[0] === 'pull' ? this.timeouts.pullMs : this.timeouts.callMs;
  }

  /** Called when the daemon stops answering the calls and when it answers again. */
  onDaemonChange(listener: (answering: boolean, reason: string) => void): () => void {
    this.daemonListeners.add(listener);
    return () => this.daemonListeners.delete(listener);
  }

  private noteDaemon(answering: boolean, reason: string): void {
    if (answering === this.daemonAnswering) return;
    this.daemonAnswering = answering;
    for (const l of this.daemonListeners) l(answering, reason);
  }

  /** Starts a long-lived docker process (events, logs --follow); the caller owns it. */
  spawn(args: readonly string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
    this.spawnCount++;
    const ends = this.observers.map((o) => o.started(args));
    const child = spawn(this.bin, args, {
      env: this.envFor(args, options.env, options.brief ?? false),
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    if (ends.length > 0) {
      let ended = false;
      const end = (code: number | null) => {
        if (ended) return;
        ended = true;
        for (const e of ends) e(code);
      };
      child.once('error', () => end(null));
      child.once('close', (code) => end(code));
    }
    return child;
  }

  /**
   * Runs docker to completion; throws DockerCliError on a non-zero exit, and when it has not
   * finished within its timeout (it is killed then: a hung CLI never holds a request).
   */
  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = this.spawn(args, { ...options, brief: options.brief ?? true });
      } catch (err) {
        reject(err);
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.timeoutFor(args);
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              child.kill('SIGKILL');
              // Answer now: a grandchild holding the pipes open would delay 'close' for ever.
              child.stdout.destroy();
              child.stderr.destroy();
              reject(
                new DockerCliError(
                  describeCommand(this.bin, args),
                  null,
                  `no answer within ${timeoutMs / 1000} s: the docker command was killed`,
                ),
              );
            }, timeoutMs)
          : undefined;
      timer?.unref();
      child.once('close', () => clearTimeout(timer));
      const out = new OutputKept(options.maxOutputBytes);
      const errOut = new OutputKept(options.maxOutputBytes);
      let overflow = false;
      const add = (kept: OutputKept, told?: (chunk: Buffer) => void) => (b: Buffer) => {
        if (overflow) return;
        kept.add(b);
        told?.(b);
        if (options.maxOutputBytes !== undefined || kept.seen <= OUTPUT_CEILING_BYTES) return;
        overflow = true;
        child.kill('SIGKILL');
        // Whatever else holds the pipes open (a wrapper's children) must not hold the call.
        child.stdout.destroy();
        child.stderr.destroy();
      };
      child.stdout.on('data', add(out, options.onStdout));
      child.stderr.on('data', add(errOut));
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          reject(
            new DockerCliError(
              describeCommand(this.bin, args),
              null,
              `the docker CLI "${this.bin}" was not found on PATH`,
            ),
          );
        } else reject(err);
      });
      child.on('close', (code) => {
        if (overflow) {
          const what = `printed more than ${OUTPUT_CEILING_BYTES / 1024 / 1024} MiB; stopped`;
          reject(new DockerCliError(describeCommand(this.bin, args), null, what));
          return;
        }
        const stdout = out.text();
        const stderr = errOut.text();
        if (code === 0) {
          this.noteDaemon(true, '');
          resolve({ stdout, stderr });
          return;
        }
        const err = new DockerCliError(describeCommand(this.bin, args), code, stderr, stdout);
        // Killed by a signal (code null) says nothing about the daemon.
        if (code !== null) this.noteDaemon(!err.daemonUnreachable, err.reason);
        reject(err);
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    });
  }
}

/** The first `limit` bytes of a stream (all of them without a limit). */
class OutputKept {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes read, kept or not. */
  seen = 0;

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  add(b: Buffer): void {
    this.seen += b.length;
    if (this.kept >= this.limit) return;
    const part = b.length > this.limit - this.kept ? b.subarray(0, this.limit - this.kept) : b;
    this.chunks.push(part);
    this.kept += part.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
