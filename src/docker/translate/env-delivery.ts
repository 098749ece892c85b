/**
 * How a container's env reaches Docker without any value on a command line, where every local
 * user reads it (/proc/<pid>/cmdline). Most variables go into an env file (`--env-file`, mode
 * 0600, read by the docker CLI and removed once the container is made). What the CLI's env-file
 * parser (docker/cli pkg/kvfile) cannot carry goes as `--env NAME`, the value in the docker CLI
 * process's own environment (/proc/<pid>/environ is readable by its owner only), unless that name
 * could change what the CLI itself does: then the pod is refused. Pure: no files, no processes.
 */

/** What a container's env needs to reach Docker: args, the env file's text, the CLI's extra environment. */
export interface EnvDelivery {
  /** `--env-file <path>` and one `--env NAME` per variable carried by the CLI's environment. */
  args: string[];
  /** The env file: where and what (absent when no variable goes into it). */
  file?: { path: string; text: string };
  /** Variables the docker CLI process is given in its own environment, NAME → value. */
  cliEnv: Record<string, string>;
}

/** bufio.Scanner's default token limit (64 KiB): a longer line fails the whole file. */
export const MAX_ENV_FILE_LINE_BYTES = 64 * 1024 - 1;

/** The first line of every file the plugin hands the docker CLI (env and label files), a comment to it. */
export const FILE_HEADER = '# written by the interLink Docker plugin; removed once the container is made\n';

/** Why the CLI's env-file parser cannot carry `name=value` unchanged, or undefined when it can. */
export function envFileProblem(name: string, value: string): string | undefined {
  if (value.includes('\n')) return 'its value has a line break';
  // ScanLines drops a '\r' before each line's end.
  if (value.endsWith('\r')) return 'its value ends with a carriage return';
  // Newer CLIs strip one pair of matching quotes around a value (kvfile's trimQuotes).
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0])
    return 'its value is quoted';
  // Leading whitespace is trimmed, whitespace in a name refused, '#' starts a comment.
  if (/^\s/u.test(name) || /[ \t]/.test(name) || name.startsWith('#')) return 'its name would be misread';
  if (Buffer.byteLength(`${name}=${value}`) > MAX_ENV_FILE_LINE_BYTES) return 'it is over 64 KiB';
  return undefined;
}

/**
 * Names the docker CLI, the Go runtime, a C library, or a shell wrapper given as the docker
 * binary may read from its own environment. A pod's variable by such a name is never put into
 * the CLI's environment: it would steer the CLI (DOCKER_HOST, HOME, PATH, a proxy, LD_PRELOAD,
 * BASH_ENV...). Matched without regard to case; broader than needed on purpose.
 */
const CLI_READS = new RegExp(
  [
    '^(HOME|PATH|TMPDIR|TMP|TEMP|USER|LOGNAME|SHELL|PWD|OLDPWD|IFS|ENV|CDPATH|PS4|POSIXLY_CORRECT)$',
    '^(TERM|TERMINFO|COLUMNS|LINES|TZ|TZDIR|LANG|LANGUAGE|NLSPATH|LOCPATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS)$',
    '^(NO_COLOR|FORCE_COLOR|CLICOLOR|CLICOLOR_FORCE|KUBECONFIG|REQUEST_METHOD)$',
    '^(HTTP|HTTPS|FTP|ALL|NO)_PROXY$',
    '^GO[A-Z0-9]*$',
    '^(DOCKER|LD_|LC_|BASH|SHELLOPTS|MALLOC|GLIBC|GCONV|SSH|SSL_|OPENSSL|GIT_|XDG_|OTEL_|BUILDKIT|BUILDX|COMPOSE|NOTARY|KRB5|PLUGIN_)',
  ].join('|'),
  'i',
);

/** Why the docker CLI's environment must not carry a variable of this name, or undefined. */
export function cliEnvRefusal(name: string, inherited: ReadonlySet<string>): string | undefined {
  if (CLI_READS.test(name) || inherited.has(name))
    return `the docker CLI reads ${name} from its own environment, so the plugin cannot hand it over that way`;
  return undefined;
}

/**
 * Splits `env` (name → value, in order, names unique) between the env file at `filePath` and
 * the docker CLI's environment. `inherited` are the names already in the CLI's environment.
 * Throws EnvDeliveryRefusal for a variable neither can carry.
 */
export function planEnvDelivery(
  env: ReadonlyArray<readonly [string, string]>,
  filePath: string,
  inherited: ReadonlySet<string>,
): EnvDelivery {
  const lines: string[] = [];
  const args: string[] = [];
  const cliEnv: Record<string, string> = {};
  for (const [name, value] of env) {
    const fileProblem = envFileProblem(name, value);
    if (!fileProblem) {
      lines.push(`${name}=${value}\n`);
      continue;
    }
    const refusal = cliEnvRefusal(name, inherited);
    if (refusal)
      throw new EnvDeliveryRefusal(name, `${fileProblem}, which an env file cannot carry, and ${refusal}`);
    args.push('--env', name);
    cliEnv[name] = value;
  }
  if (lines.length === 0) return { args, cliEnv };
  // The file's variables come first: Docker keeps them in that order, then the --env ones.
  return {
    args: ['--env-file', filePath, ...args],
    file: { path: filePath, text: FILE_HEADER + lines.join('') },
    cliEnv,
  };
}

/** A variable that can reach Docker neither through an env file nor the CLI's environment. */
export class EnvDeliveryRefusal extends Error {
  override name = 'EnvDeliveryRefusal';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`variable ${variable}: ${problem}`);
  }
}
