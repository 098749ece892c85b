/**
 * Every setting of the plugin, read here and nowhere else: a command-line flag wins over its
 * environment variable, which wins over the config file, which wins over the default. The table
 * of settings (src/config/settings.ts) drives flags, variables, file keys, --help and the README.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CapacitySetting, parseCapacity } from '../pod/node-capacity.ts';
import { POD_SECURITY_LEVELS, type PodSecurityLevel } from '../pod/pod-security.ts';
import { parseTaints, type Taint } from '../pod/taints.ts';
import { ConfigError } from './config-error.ts';
import { configPath, type FileValues, readConfigFile } from './config-file.ts';
import { helperProxyEnv } from './proxy-env.ts';
import { REMOVED_SETTINGS, SETTINGS, type SettingKey } from './settings.ts';

export { ConfigError } from './config-error.ts';
export { SETTINGS } from './settings.ts';

/** How a container's GPUs reach it (src/docker/gpu/gpu-args.ts). */
export type GpuMode = 'toolkit' | 'runtime' | 'env';
const GPU_MODES: readonly GpuMode[] = ['toolkit', 'runtime', 'env'];

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface Config {
  readonly listen: ListenAddress;
  readonly socketMode: number;
  readonly bodyLimitBytes: number;
  readonly podCapacity: number;
  /** CPUs and memory the ping offers of the host's (src/pod/node-capacity.ts). */
  readonly nodeCpu: CapacitySetting;
  readonly nodeMemory: CapacitySetting;
  /** Sent in the ping only when configured: they replace the virtual node's non-system taints. */
  readonly taints: readonly Taint[] | undefined;
  readonly dockerBin: string;
  readonly instance: string;
  readonly stateDir: string;
  readonly pauseImage: string;
  readonly resyncSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly imagePullBackoffSeconds: number;
  readonly allowedHostPaths: readonly string[];
  /** The Pod Security Standards level every pod must meet (src/pod/pod-security.ts). */
  readonly podSecurityLevel: PodSecurityLevel;
  readonly authToken: string | undefined;
  /** The bearer token /metrics needs on the metrics listener, if any. */
  readonly metricsToken: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** GPU indexes or UUIDs the operator hands out; empty = every GPU nvidia-smi lists. */
  readonly gpuDevices: readonly string[];
  readonly gpuMode: GpuMode;
  /** Docker networks the pods' sandboxes join; empty = Docker's default bridge. */
  readonly podNetworks: readonly string[];
  readonly networkHelperImage: string;
  readonly networkHelperTimeoutSeconds: number;
  /** Served to the network helper's downloads by name (PLUGIN_MESH_BINARIES_DIR), if set. */
  readonly meshBinariesDir: string | undefined;
  /** The plugin's proxy variables that the network helper gets too (network/helper-proxy-env.ts). */
  readonly helperProxyEnv: Readonly<Record<string, string>>;
  /** A second TCP listener for scrapes and probes, if any. */
  readonly metricsListen: ListenAddress | undefined;
  /** The config file read, if any. */
  readonly configFile: string | undefined;
  readonly tracing: TracingConfig;
  readonly dockerTimeoutSeconds: number;
  readonly pullTimeoutSeconds: number;
  /** DOCKER_CONFIG for image pulls; undefined: the docker CLI's default. */
  readonly dockerConfigDir: string | undefined;
  readonly maxConcurrentOps: number;
  /** pids.max of each pod's cgroup; undefined: no limit (the kubelet's podPidsLimit -1). */
  readonly podPidsLimit: number | undefined;
}

/** interLink's telemetry settings (ENABLE_TRACING, TELEMETRY_*). */
export interface TracingConfig {
  readonly enabled: boolean;
  /** HOST:PORT of the OTLP gRPC receiver. */
  readonly endpoint: string;
  /** Empty: a random id at start, as interLink does. */
  readonly uniqueId: string;
  readonly caCrtFile: string | undefined;
  readonly clientCrtFile: string | undefined;
  readonly clientKeyFile: string | undefined;
  readonly insecureSkipVerify: boolean;
}

type Key = SettingKey;

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

/** Whether a TCP host is this machine's loopback (only local processes, and hostNetwork pods, reach it). */
export function isLoopbackHost(host: string): boolean {
  return /^(localhost|::1|(::ffff:)?127(\.\d{1,3}){3})$/i.test(host);
}

/** A removed setting still given by a flag, the environment or the config file stops the plugin. */
function refuseRemoved(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  for (const r of REMOVED_SETTINGS) {
    const how = argv.some((a) => a === `--${r.flag}` || a.startsWith(`--${r.flag}=`))
      ? `--${r.flag}`
      : env[r.env] !== undefined
        ? r.env
        : undefined;
    // The config file's keys are checked as it is read (config-file.ts).
    if (how) throw new ConfigError(`${how} was removed: ${r.instead}`);
  }
}

/** The source a setting's value came from, as error sentences name it. */
type Where = (key: Key) => string;

function integer(key: Key, raw: string, min: number, where: Where, radix = 10): number {
  const n = radix === 8 ? Number.parseInt(raw, 8) : Number(raw);
  if (!Number.isInteger(n) || n < min || (radix === 8 && !/^0?[0-7]{1,4}$/.test(raw))) {
    throw new ConfigError(
      `${where(key)}: "${raw}" is not a valid ${radix === 8 ? 'octal mode' : `whole number >= ${min}`}`,
    );
  }
  return n;
}

/** The kubelet's podPidsLimit: -1 for none, else at least 1. */
function pidsLimit(raw: string, where: Where): number | undefined {
  const n = integer('podPidsLimit', raw, -1, where);
  if (n === 0)
    throw new ConfigError(
      `${where('podPidsLimit')}: "0" would let no pod start a process: use -1 for no limit`,
    );
  return n === -1 ? undefined : n;
}

function capacity(key: Key, raw: string, resource: 'cpu' | 'memory', where: Where): CapacitySetting {
  try {
    return Object.freeze(parseCapacity(raw, resource));
  } catch (err) {
    throw new ConfigError(`${where(key)}: ${(err as Error).message}`);
  }
}

function boolean(key: Key, raw: string, where: Where): boolean {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${where(key)}: "${raw}" is not true or false`);
}

/** `0,1` or `GPU-…,MIG-…`: indexes or UUIDs as nvidia-smi prints them, each once. */
function gpuDeviceList(raw: string, where: Where): string[] {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!/^\d+$|^(GPU|MIG)-[A-Za-z0-9/-]+$/.test(id))
      throw new ConfigError(
        `${where('gpuDevices')}: "${id}" is neither a GPU index (0, 1…) nor a UUID (GPU-…, MIG-…)`,
      );
  }
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ConfigError(`${where('gpuDevices')}: "${twice}" is listed twice`);
  return ids;
}

function taints(raw: string, where: Where): readonly Taint[] | undefined {
  if (raw.trim() === '') return undefined;
  try {
    const list = parseTaints(raw);
    return list.length > 0 ? Object.freeze(list) : undefined;
  } catch (err) {
    throw new ConfigError(`${where('taints')}: ${(err as Error).message}`);
  }
}

/** `--help` or `--version` anywhere on the command line: the plugin prints and exits. */
export function commandLineAction(
  argv: readonly string[] = process.argv.slice(2),
): 'help' | 'version' | undefined {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  if (argv.includes('--version')) return 'version';
  return undefined;
}

/**
 * Reads flags (argv without node and script), the environment and the config file into a frozen
 * Config.
 */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config {
  refuseRemoved(argv, env);
  const options = Object.fromEntries([
    ['config', { type: 'string' as const }],
    ...Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }]),
  ]);
  let flags: Record<string, string | undefined>;
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (err) {
    throw new ConfigError(
      `${(err as Error).message}; known flags: --config ${Object.values(SETTINGS)
        .map((s) => `--${s.flag}`)
        .join(' ')} (--help describes them)`,
    );
  }
  const configFile = configPath(flags.config, env);
  const file: FileValues = configFile === undefined ? {} : readConfigFile(configFile);
  const raw = (key: Key): string =>
    flags[SETTINGS[key].flag] ?? env[SETTINGS[key].env] ?? file[key]?.value ?? SETTINGS[key].default;
  const where: Where = (key) => {
    const s = SETTINGS[key];
    const fromFile = flags[s.flag] === undefined && env[s.env] === undefined ? file[key] : undefined;
    return fromFile?.where ?? `${s.env} (--${s.flag})`;
  };

  const logLevel = raw('logLevel');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`${where('logLevel')}: "${logLevel}" is not debug, info, warn or error`);
  }
  const allowedHostPaths = raw('allowedHostPaths')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of allowedHostPaths) {
    if (!p.startsWith('/'))
      throw new ConfigError(`${where('allowedHostPaths')}: "${p}" is not an absolute path`);
  }
  const podNetworks = raw('podNetworks')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of podNetworks) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n) || n === 'host' || n === 'none')
      throw new ConfigError(`${where('podNetworks')}: "${n}" is not a Docker network pods can join`);
  }
  if (new Set(podNetworks).size !== podNetworks.length)
    throw new ConfigError(`${where('podNetworks')}: "${raw('podNetworks')}" names a network twice`);
  const networkHelperImage = raw('networkHelperImage');
  if (!networkHelperImage) throw new ConfigError(`${where('networkHelperImage')}: must name an image`);
  const meshBinariesDir = raw('meshBinariesDir') || undefined;
  if (meshBinariesDir !== undefined && (!meshBinariesDir.startsWith('/') || meshBinariesDir.includes(',')))
    throw new ConfigError(
      `${where('meshBinariesDir')}: "${meshBinariesDir}" is not an absolute path without a comma`,
    );
  if (meshBinariesDir !== undefined && !statSync(meshBinariesDir, { throwIfNoEntry: false })?.isDirectory())
    throw new ConfigError(`${where('meshBinariesDir')}: "${meshBinariesDir}" is not a directory`);
  const stateDir = raw('stateDir');
  if (!stateDir.startsWith('/'))
    throw new ConfigError(`${where('stateDir')}: "${stateDir}" is not an absolute path`);
  const dockerConfigDir = raw('dockerConfig') || undefined;
  if (dockerConfigDir !== undefined && !dockerConfigDir.startsWith('/'))
    throw new ConfigError(`${where('dockerConfig')}: "${dockerConfigDir}" is not an absolute path`);
  const instance = raw('instance');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(instance))
    throw new ConfigError(`${where('instance')}: "${instance}" may hold only letters, digits, _ . -`);
  let listen: ListenAddress;
  try {
    listen = parseListen(raw('listen'));
  } catch (err) {
    throw new ConfigError(`${where('listen')}: ${(err as Error).message.replace(/^listen: /, '')}`);
  }
  let metricsListen: ListenAddress | undefined;
  try {
    metricsListen = raw('metricsListen') ? parseListen(raw('metricsListen')) : undefined;
  } catch (err) {
    throw new ConfigError(`${where('metricsListen')}: ${(err as Error).message.replace(/^listen: /, '')}`);
  }
  const podSecurityLevel = raw('podSecurityLevel');
  if (!(POD_SECURITY_LEVELS as readonly string[]).includes(podSecurityLevel))
    throw new ConfigError(
      `${where('podSecurityLevel')}: "${podSecurityLevel}" is not privileged, baseline or restricted`,
    );
  const authToken = raw('authToken') || undefined;
  const metricsToken = raw('metricsToken') || undefined;
  // Whoever reaches an API without a token drives Docker as root: only loopback may go without.
  if (listen.kind === 'tcp' && !isLoopbackHost(listen.host) && !authToken)
    throw new ConfigError(
      `${where('listen')}: ${listen.host}:${listen.port} is not a loopback address and ${where('authToken')} is empty: anyone who reaches that address could create pods on this host; set a token, listen on 127.0.0.1, or use a unix socket (unix:/PATH)`,
    );
  if (metricsListen?.kind === 'tcp' && !isLoopbackHost(metricsListen.host) && !metricsToken)
    throw new ConfigError(
      `${where('metricsListen')}: ${metricsListen.host}:${metricsListen.port} is not a loopback address and ${where('metricsToken')} is empty: anyone who reaches it reads the names of the pods; set a token (scrapers send Authorization: Bearer TOKEN) or listen on 127.0.0.1`,
    );
  const gpuMode = raw('gpuMode');
  if (!(GPU_MODES as readonly string[]).includes(gpuMode))
    throw new ConfigError(`${where('gpuMode')}: "${gpuMode}" is not toolkit, runtime or env`);
  const endpoint = raw('telemetryEndpoint');
  if (!/^[^\s/]+:\d+$/.test(endpoint))
    throw new ConfigError(`${where('telemetryEndpoint')}: "${endpoint}" is not HOST:PORT`);

  return Object.freeze({
    configFile,
    listen,
    metricsListen,
    socketMode: integer('socketMode', raw('socketMode'), 0, where, 8),
    bodyLimitBytes: integer('bodyLimit', raw('bodyLimit'), 1, where),
    // A zero in the ping drains the node: refuse it rather than send it.
    podCapacity: integer('podCapacity', raw('podCapacity'), 1, where),
    nodeCpu: capacity('nodeCpu', raw('nodeCpu'), 'cpu', where),
    nodeMemory: capacity('nodeMemory', raw('nodeMemory'), 'memory', where),
    taints: taints(raw('taints'), where),
    dockerBin: raw('dockerBin'),
    instance,
    stateDir,
    pauseImage: raw('pauseImage'),
    resyncSeconds: integer('resyncSeconds', raw('resyncSeconds'), 1, where),
    shutdownTimeoutSeconds: integer('shutdownTimeout', raw('shutdownTimeout'), 0, where),
    imagePullBackoffSeconds: integer('imagePullBackoff', raw('imagePullBackoff'), 1, where),
    allowedHostPaths: Object.freeze(allowedHostPaths),
    podSecurityLevel: podSecurityLevel as PodSecurityLevel,
    authToken,
    metricsToken,
    logLevel: logLevel as Config['logLevel'],
    gpuDevices: Object.freeze(gpuDeviceList(raw('gpuDevices'), where)),
    gpuMode: gpuMode as GpuMode,
    dockerTimeoutSeconds: integer('dockerTimeout', raw('dockerTimeout'), 1, where),
    pullTimeoutSeconds: integer('pullTimeout', raw('pullTimeout'), 1, where),
    dockerConfigDir,
    maxConcurrentOps: integer('maxConcurrentOps', raw('maxConcurrentOps'), 1, where),
    podPidsLimit: pidsLimit(raw('podPidsLimit'), where),
    podNetworks: Object.freeze(podNetworks),
    networkHelperImage,
    networkHelperTimeoutSeconds: integer('networkHelperTimeout', raw('networkHelperTimeout'), 1, where),
    meshBinariesDir,
    helperProxyEnv: Object.freeze(helperProxyEnv(env)),
    tracing: Object.freeze({
      enabled: boolean('enableTracing', raw('enableTracing'), where),
      endpoint,
      uniqueId: raw('telemetryUniqueId'),
      caCrtFile: raw('telemetryCaCrtFilepath') || undefined,
      clientCrtFile: raw('telemetryClientCrtFilepath') || undefined,
      clientKeyFile: raw('telemetryClientKeyFilepath') || undefined,
      insecureSkipVerify: boolean('telemetryInsecureSkipVerify', raw('telemetryInsecureSkipVerify'), where),
    }),
  });
}
