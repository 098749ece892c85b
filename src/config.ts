/**
 * Every setting of the plugin, read here and nowhere else: a command-line flag wins over its
 * environment variable, which wins over the default. The README's table is made from SETTINGS.
 */
import { parseArgs } from 'node:util';

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface Config {
  readonly listen: ListenAddress;
  readonly socketMode: number;
  readonly bodyLimitBytes: number;
  readonly podCapacity: number;
  readonly dockerBin: string;
  readonly instance: string;
  readonly stateDir: string;
  readonly pauseImage: string;
  readonly resyncSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly imagePullBackoffSeconds: number;
  readonly allowedHostPaths: readonly string[];
  readonly allowPrivileged: boolean;
  readonly allowAddedCapabilities: boolean;
  readonly authToken: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

interface Setting {
  flag: string;
  env: string;
  default: string;
  help: string;
}

export const SETTINGS = {
  listen: {
    flag: 'listen',
    env: 'PLUGIN_LISTEN',
    default: '127.0.0.1:4000',
    help: 'HOST:PORT, or unix:/PATH for a unix socket',
  },
  socketMode: {
    flag: 'socket-mode',
    env: 'PLUGIN_SOCKET_MODE',
    default: '0660',
    help: 'File mode (octal) of the unix socket',
  },
  bodyLimit: {
    flag: 'body-limit',
    env: 'PLUGIN_BODY_LIMIT',
    default: '8388608',
    help: 'Largest request body in bytes (GET bodies too); larger gets 413',
  },
  podCapacity: {
    flag: 'pod-capacity',
    env: 'PLUGIN_POD_CAPACITY',
    default: '110',
    help: 'Pods the virtual node offers, reported in the ping',
  },
  dockerBin: {
    flag: 'docker',
    env: 'PLUGIN_DOCKER',
    default: 'docker',
    help: 'The docker CLI to run (DOCKER_HOST and DOCKER_CONTEXT are passed through)',
  },
  instance: {
    flag: 'instance',
    env: 'PLUGIN_INSTANCE',
    default: 'default',
    help: 'Owner label value: two plugins on one Docker host need different values',
  },
  stateDir: {
    flag: 'state-dir',
    env: 'PLUGIN_STATE_DIR',
    default: '/var/lib/interlink-docker-plugin',
    help: 'Where volume files (configMaps, secrets, emptyDirs) are written, per pod',
  },
  pauseImage: {
    flag: 'pause-image',
    env: 'PLUGIN_PAUSE_IMAGE',
    default: '',
    help: 'Image of the pod sandbox that holds the network; empty = build a tiny one locally',
  },
  resyncSeconds: {
    flag: 'resync-seconds',
    env: 'PLUGIN_RESYNC_SECONDS',
    default: '30',
    help: 'Safety-net full resync of the pod view from Docker',
  },
  shutdownTimeout: {
    flag: 'shutdown-timeout',
    env: 'PLUGIN_SHUTDOWN_TIMEOUT',
    default: '30',
    help: 'Seconds to finish in-flight requests on SIGTERM/SIGINT',
  },
  imagePullBackoff: {
    flag: 'image-pull-backoff',
    env: 'PLUGIN_IMAGE_PULL_BACKOFF',
    default: '10',
    help: 'Seconds before a failed image pull is tried again; doubles up to 300',
  },
  allowedHostPaths: {
    flag: 'allowed-host-paths',
    env: 'PLUGIN_ALLOWED_HOST_PATHS',
    default: '',
    help: 'Comma-separated host directories hostPath volumes may use (empty: none)',
  },
  allowPrivileged: {
    flag: 'allow-privileged',
    env: 'PLUGIN_ALLOW_PRIVILEGED',
    default: 'true',
    help: 'Whether privileged containers are accepted',
  },
  allowAddedCapabilities: {
    flag: 'allow-added-capabilities',
    env: 'PLUGIN_ALLOW_ADDED_CAPABILITIES',
    default: 'true',
    help: 'Whether securityContext.capabilities.add is accepted',
  },
  authToken: {
    flag: 'auth-token',
    env: 'PLUGIN_AUTH_TOKEN',
    default: '',
    help: 'When set, every plugin endpoint but /healthz needs "Authorization: Bearer TOKEN"',
  },
  logLevel: {
    flag: 'log-level',
    env: 'PLUGIN_LOG_LEVEL',
    default: 'info',
    help: 'debug, info, warn or error',
  },
} satisfies Record<string, Setting>;

type Key = keyof typeof SETTINGS;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `HOST:PORT`, `:PORT`, `[::1]:PORT`, `unix:/path` or `unix:///path`. */
export function parseListen(value: string): ListenAddress {
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/'))
      throw new ConfigError(
        `listen: "${value}" needs an absolute socket path, e.g. unix:/run/interlink/plugin.sock`,
      );
    return { kind: 'unix', path };
  }
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new ConfigError(`listen: "${value}" is neither HOST:PORT nor unix:/PATH`);
  return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function integer(key: Key, raw: string, min: number, radix = 10): number {
  const n = radix === 8 ? Number.parseInt(raw, 8) : Number(raw);
  if (!Number.isInteger(n) || n < min || (radix === 8 && !/^0?[0-7]{1,4}$/.test(raw))) {
    throw new ConfigError(
      `${SETTINGS[key].env} (--${SETTINGS[key].flag}): "${raw}" is not a valid ${radix === 8 ? 'octal mode' : `whole number >= ${min}`}`,
    );
  }
  return n;
}

function boolean(key: Key, raw: string): boolean {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${SETTINGS[key].env} (--${SETTINGS[key].flag}): "${raw}" is not true or false`);
}

/** Reads flags (argv without node and script) and the environment into a frozen Config. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const options = Object.fromEntries(
    Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }]),
  );
  let flags: Record<string, string | undefined>;
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (err) {
    throw new ConfigError(
      `${(err as Error).message}; known flags: ${Object.values(SETTINGS)
        .map((s) => `--${s.flag}`)
        .join(' ')}`,
    );
  }
  const raw = (key: Key): string =>
    flags[SETTINGS[key].flag] ?? env[SETTINGS[key].env] ?? SETTINGS[key].default;

  const logLevel = raw('logLevel');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`PLUGIN_LOG_LEVEL (--log-level): "${logLevel}" is not debug, info, warn or error`);
  }
  const allowedHostPaths = raw('allowedHostPaths')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of allowedHostPaths) {
    if (!p.startsWith('/'))
      throw new ConfigError(`PLUGIN_ALLOWED_HOST_PATHS: "${p}" is not an absolute path`);
  }
  const stateDir = raw('stateDir');
  if (!stateDir.startsWith('/'))
    throw new ConfigError(`PLUGIN_STATE_DIR (--state-dir): "${stateDir}" is not an absolute path`);
  const instance = raw('instance');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(instance))
    throw new ConfigError(`PLUGIN_INSTANCE (--instance): "${instance}" may hold only letters, digits, _ . -`);

  return Object.freeze({
    listen: parseListen(raw('listen')),
    socketMode: integer('socketMode', raw('socketMode'), 0, 8),
    bodyLimitBytes: integer('bodyLimit', raw('bodyLimit'), 1),
    podCapacity: integer('podCapacity', raw('podCapacity'), 0),
    dockerBin: raw('dockerBin'),
    instance,
    stateDir,
    pauseImage: raw('pauseImage'),
    resyncSeconds: integer('resyncSeconds', raw('resyncSeconds'), 1),
    shutdownTimeoutSeconds: integer('shutdownTimeout', raw('shutdownTimeout'), 0),
    imagePullBackoffSeconds: integer('imagePullBackoff', raw('imagePullBackoff'), 1),
    allowedHostPaths: Object.freeze(allowedHostPaths),
    allowPrivileged: boolean('allowPrivileged', raw('allowPrivileged')),
    allowAddedCapabilities: boolean('allowAddedCapabilities', raw('allowAddedCapabilities')),
    authToken: raw('authToken') || undefined,
    logLevel: logLevel as Config['logLevel'],
  });
}
