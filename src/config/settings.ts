/**
 * The table of every setting: its flag, environment variable, config-file key (the flag in
 * camelCase), default and help. Flags, the environment, the config file, --help and the README's
 * table are all driven from it, so a setting is declared once.
 */

/**
 * How a config-file value is checked before the setting's own rules apply. `scalar` (the default)
 * takes a string, number or boolean as written.
 */
export type SettingKind = 'string' | 'integer' | 'octal' | 'boolean' | 'list' | 'scalar';

export interface Setting {
  flag: string;
  env: string;
  default: string;
  help: string;
  kind?: SettingKind;
}

export const SETTINGS = {
  listen: {
    flag: 'listen',
    env: 'PLUGIN_LISTEN',
    default: '127.0.0.1:4000',
    help: 'HOST:PORT, or unix:/PATH for a unix socket',
    kind: 'string',
  },
  socketMode: {
    flag: 'socket-mode',
    env: 'PLUGIN_SOCKET_MODE',
    default: '0660',
    help: 'File mode (octal) of the unix socket',
    kind: 'octal',
  },
  bodyLimit: {
    flag: 'body-limit',
    env: 'PLUGIN_BODY_LIMIT',
    default: '8388608',
    help: 'Largest request body in bytes (GET bodies too); larger gets 413',
    kind: 'integer',
  },
  podCapacity: {
    flag: 'pod-capacity',
    env: 'PLUGIN_POD_CAPACITY',
    default: '110',
    help: 'Pods the virtual node offers, reported in the ping',
    kind: 'integer',
  },
  nodeCpu: {
    flag: 'node-cpu',
    env: 'PLUGIN_NODE_CPU',
    default: '',
    help: "CPUs the virtual node offers in the ping: empty for the host's total, a share such as 50%, or a quantity such as 8 (never more than the host has)",
    kind: 'scalar',
  },
  nodeMemory: {
    flag: 'node-memory',
    env: 'PLUGIN_NODE_MEMORY',
    default: '',
    help: "Memory the virtual node offers in the ping: empty for the host's total, a share such as 50%, or a quantity such as 64Gi (never more than the host has)",
    kind: 'string',
  },
  taints: {
    flag: 'taints',
    env: 'PLUGIN_TAINTS',
    default: '',
    help: "Taints of the virtual node, key=value:Effect comma-separated, sent in the ping (they replace the node's other taints); empty: the ping leaves taints alone",
    kind: 'list',
  },
  dockerBin: {
    flag: 'docker',
    env: 'PLUGIN_DOCKER',
    default: 'docker',
    help: 'The docker CLI to run (DOCKER_HOST and DOCKER_CONTEXT are passed through)',
    kind: 'string',
  },
  instance: {
    flag: 'instance',
    env: 'PLUGIN_INSTANCE',
    default: 'default',
    help: 'Owner label value: two plugins on one Docker host need different values',
    kind: 'string',
  },
  stateDir: {
    flag: 'state-dir',
    env: 'PLUGIN_STATE_DIR',
    default: '/var/lib/interlink-docker-plugin',
    help: 'Where volume files (configMaps, secrets, emptyDirs) are written, per pod',
    kind: 'string',
  },
  pauseImage: {
    flag: 'pause-image',
    env: 'PLUGIN_PAUSE_IMAGE',
    default: '',
    help: 'Image of the pod sandbox that holds the network; empty = build a tiny one locally',
    kind: 'string',
  },
  resyncSeconds: {
    flag: 'resync-seconds',
    env: 'PLUGIN_RESYNC_SECONDS',
    default: '30',
    help: 'Safety-net full resync of the pod view from Docker',
    kind: 'integer',
  },
  shutdownTimeout: {
    flag: 'shutdown-timeout',
    env: 'PLUGIN_SHUTDOWN_TIMEOUT',
    default: '30',
    help: 'Seconds to finish in-flight requests on SIGTERM/SIGINT',
    kind: 'integer',
  },
  imagePullBackoff: {
    flag: 'image-pull-backoff',
    env: 'PLUGIN_IMAGE_PULL_BACKOFF',
    default: '10',
    help: 'Seconds before a failed image pull is tried again; doubles up to 300',
    kind: 'integer',
  },
  allowedHostPaths: {
    flag: 'allowed-host-paths',
    env: 'PLUGIN_ALLOWED_HOST_PATHS',
    default: '',
    help: 'Comma-separated host directories hostPath volumes may use (empty: none)',
    kind: 'list',
  },
  podSecurityLevel: {
    flag: 'pod-security-level',
    env: 'PLUGIN_POD_SECURITY_LEVEL',
    default: 'baseline',
    help: "Pod Security Standards level every pod must meet at /create (privileged, baseline or restricted), as the API server's PodSecurity admission checks it; refused pods get 403. hostPath stays governed by allowed-host-paths",
    kind: 'string',
  },
  gpuDevices: {
    flag: 'gpu-devices',
    env: 'PLUGIN_GPU_DEVICES',
    default: '',
    help: 'Comma-separated GPU indexes or UUIDs the plugin hands out (empty: every GPU nvidia-smi lists)',
    kind: 'list',
  },
  gpuMode: {
    flag: 'gpu-mode',
    env: 'PLUGIN_GPU_MODE',
    default: 'toolkit',
    help: 'How containers get their GPUs: toolkit (--gpus), runtime (--runtime nvidia + NVIDIA_VISIBLE_DEVICES) or env (NVIDIA_VISIBLE_DEVICES only)',
    kind: 'string',
  },
  authToken: {
    flag: 'auth-token',
    env: 'PLUGIN_AUTH_TOKEN',
    default: '',
    help: 'When set, every plugin endpoint but /healthz needs "Authorization: Bearer TOKEN"; required when listen is TCP on an address other than loopback',
    kind: 'string',
  },
  logLevel: {
    flag: 'log-level',
    env: 'PLUGIN_LOG_LEVEL',
    default: 'info',
    help: 'debug, info, warn or error',
    kind: 'string',
  },
  metricsListen: {
    flag: 'metrics-listen',
    env: 'PLUGIN_METRICS_LISTEN',
    default: '',
    help: 'HOST:PORT of a second listener serving only /metrics, /healthz and /readyz (scrapes, probes); empty: none. Not on loopback, it needs metrics-token',
    kind: 'string',
  },
  metricsToken: {
    flag: 'metrics-token',
    env: 'PLUGIN_METRICS_TOKEN',
    default: '',
    help: 'When set, /metrics on metrics-listen needs "Authorization: Bearer TOKEN" (the probes stay open)',
    kind: 'string',
  },
  enableTracing: {
    flag: 'enable-tracing',
    env: 'ENABLE_TRACING',
    default: 'false',
    help: 'Send OpenTelemetry traces (OTLP gRPC), as interLink does with ENABLE_TRACING=1',
    kind: 'boolean',
  },
  telemetryEndpoint: {
    flag: 'telemetry-endpoint',
    env: 'TELEMETRY_ENDPOINT',
    default: 'localhost:4317',
    help: 'HOST:PORT of the OTLP gRPC receiver (a collector, Tempo)',
    kind: 'string',
  },
  telemetryUniqueId: {
    flag: 'telemetry-unique-id',
    env: 'TELEMETRY_UNIQUE_ID',
    default: '',
    help: 'Traces carry service.name Plugin-<this>; empty = a random UUID at start, as interLink does',
    kind: 'string',
  },
  telemetryCaCrtFilepath: {
    flag: 'telemetry-ca-crt-filepath',
    env: 'TELEMETRY_CA_CRT_FILEPATH',
    default: '',
    help: 'CA certificate (PEM) of the receiver: set it to use TLS',
    kind: 'string',
  },
  telemetryClientCrtFilepath: {
    flag: 'telemetry-client-crt-filepath',
    env: 'TELEMETRY_CLIENT_CRT_FILEPATH',
    default: '',
    help: 'Client certificate (PEM) for mutual TLS with the receiver',
    kind: 'string',
  },
  telemetryClientKeyFilepath: {
    flag: 'telemetry-client-key-filepath',
    env: 'TELEMETRY_CLIENT_KEY_FILEPATH',
    default: '',
    help: 'Client key (PEM) for mutual TLS with the receiver',
    kind: 'string',
  },
  telemetryInsecureSkipVerify: {
    flag: 'telemetry-insecure-skip-verify',
    env: 'TELEMETRY_INSECURE_SKIP_VERIFY',
    default: 'false',
    help: 'TLS to the receiver without checking its certificate, as interLink reads the same variable (a lab receiver with a self-signed certificate)',
    kind: 'boolean',
  },
  dockerTimeout: {
    flag: 'docker-timeout',
    env: 'PLUGIN_DOCKER_TIMEOUT',
    default: '60',
    help: 'Seconds a docker CLI call may take before it is killed (a stop gets its grace period on top; pulls have their own)',
    kind: 'integer',
  },
  dockerConfig: {
    flag: 'docker-config',
    env: 'PLUGIN_DOCKER_CONFIG',
    default: '',
    help: "Docker config directory image pulls use (DOCKER_CONFIG: registry credentials, credential helpers); empty: the docker CLI's own (~/.docker)",
    kind: 'string',
  },
  pullTimeout: {
    flag: 'pull-timeout',
    env: 'PLUGIN_PULL_TIMEOUT',
    default: '1800',
    help: 'Seconds an image pull may take before it is killed and retried with back-off',
    kind: 'integer',
  },
  podPidsLimit: {
    flag: 'pod-pids-limit',
    env: 'PLUGIN_POD_PIDS_LIMIT',
    default: '4096',
    help: "Processes and threads each pod may have at once, set on the pod's cgroup as the kubelet's podPidsLimit; -1 for no limit",
    kind: 'integer',
  },
  maxConcurrentOps: {
    flag: 'max-concurrent-ops',
    env: 'PLUGIN_MAX_CONCURRENT_OPS',
    default: '16',
    help: 'Creates and deletes run at once at most; more get 503 with Retry-After instead of a queue',
    kind: 'integer',
  },
  podNetworks: {
    flag: 'pod-networks',
    env: 'PLUGIN_POD_NETWORKS',
    default: '',
    help: "Comma-separated Docker networks pods join, spread least-filled (empty: Docker's default bridge)",
    kind: 'list',
  },
  networkHelperImage: {
    flag: 'network-helper-image',
    env: 'PLUGIN_NETWORK_HELPER_IMAGE',
    default: 'nicolaka/netshoot:v0.13',
    help: "Image of the helper that runs interLink's mesh script or tunnel command (wstunnel, rathole, ssh) in a pod's network (needs bash, curl, iproute2; ssh, unzip, base64 for the ssh and rathole tunnels)",
    kind: 'string',
  },
  networkHelperTimeout: {
    flag: 'network-helper-timeout',
    env: 'PLUGIN_NETWORK_HELPER_TIMEOUT',
    default: '300',
    help: "Seconds interLink's mesh may take to come up before the pod fails",
    kind: 'integer',
  },
  meshBinariesDir: {
    flag: 'mesh-binaries-dir',
    env: 'PLUGIN_MESH_BINARIES_DIR',
    default: '',
    help: "Directory (absolute) holding wstunnel, wireguard-go, wg and slirp4netns: the network helper's downloads of a file of that name are served from it, read-only, instead of the internet (empty: downloaded)",
    kind: 'string',
  },
} satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

/** Settings that were removed, and the sentence that says what replaces each: a start-up error. */
export const REMOVED_SETTINGS: readonly { flag: string; env: string; fileKey: string; instead: string }[] = [
  {
    flag: 'allow-privileged',
    env: 'PLUGIN_ALLOW_PRIVILEGED',
    fileKey: 'allowPrivileged',
    instead:
      'PLUGIN_POD_SECURITY_LEVEL (--pod-security-level, file key podSecurityLevel) replaces it: privileged admits privileged containers, baseline (the default) and restricted refuse them',
  },
  {
    flag: 'allow-added-capabilities',
    env: 'PLUGIN_ALLOW_ADDED_CAPABILITIES',
    fileKey: 'allowAddedCapabilities',
    instead:
      "PLUGIN_POD_SECURITY_LEVEL (--pod-security-level, file key podSecurityLevel) replaces it: baseline (the default) admits only the container runtime's default capabilities, restricted only NET_BIND_SERVICE, privileged any",
  },
];

/** The setting's key in the config file: its flag in camelCase (`pod-capacity` → `podCapacity`). */
export function fileKey(s: Setting): string {
  return s.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
