/** The benchmark's flags: small defaults for a quick look, `--steps 40,200,1000` for the full run. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Pod counts to measure at, ascending; the same pods grow from one step to the next. */
  steps: number[];
  durationMs: number;
  /** Unrecorded /status load before each step's measurements. */
  warmupMs: number;
  /** Cap on requests per /status or `docker inspect` measurement. */
  maxRequests: number;
  createConcurrency: number;
  deleteConcurrency: number;
  statusConcurrency: number[];
  logsRequests: number;
  /** Raw `docker run -d` containers per step (at most the pods created in that step). */
  baselinePods: number;
  /** Also time a sandbox + container pair by hand (the plugin's shape for multi-container pods). */
  rawPod: boolean;
  leakCheck: number;
  leakOnly: boolean;
  outDir: string;
  template: string;
  image: string;
  sidecarLogLevel: string;
  /** Keep the sidecar's log and state directory (always kept when the run fails). */
  keepLogs: boolean;
  /** Ids of the phases to run (scripts/bench/phases/), in their list order; undefined: all. */
  phases?: string[];
  /** The window over which the polled sidecar's CPU is measured. */
  pollWindowMs: number;
  /** How the sidecar is started: as `npm start` runs it (npm, sh, node) or node alone. */
  start: 'npm' | 'node';
  /** Write the sidecar's V8 CPU profile here (needs --start node). */
  cpuProfDir?: string;
}

export const USAGE = `npm run bench -- [options]

  --pods N                  pods to create and measure at (default 40)
  --steps A,B,C             measure at several pod counts, growing one set (overrides --pods)
  --duration S              seconds per /status and docker inspect measurement (default 5)
  --warmup S                unrecorded /status load before each step's measurements (default 1;
                            the first step gets 5x, for the JIT)
  --requests N              at most N requests per such measurement (default 200000)
  --create-concurrency N    parallel creates, sidecar and raw docker alike (default 4)
  --delete-concurrency N    parallel deletes (default: the create concurrency)
  --status-concurrency A,B  closed-loop concurrencies for /status and inspect (default 1,8)
  --logs-requests N         /getLogs and docker logs requests per concurrency (default 200)
  --baseline-pods N         raw docker run/rm -f containers per step (default 100)
  --raw-pod                 also time sandbox+container pairs by hand (multi-container pod shape)
  --leak-check N            afterwards, create+delete N pods in a loop and look for leaks (default off)
  --leak-only               skip the measurements, only run the leak check
  --out DIR                 results directory (default bench-results)
  --template FILE           create body to clone (default test/fixtures/interlink-examples/hello-create.json)
  --image IMAGE             image of the pods and the raw containers (default busybox:1.36)
  --log-level LEVEL         the sidecar's --log-level (default info, as deployed)
  --keep-logs               keep the sidecar's log (kept anyway when the run fails)
  --phases A,B              run only these phases (create, status, polling, logs, process, scrape, delete)
  --poll-window S           seconds of interLink-paced polling per step for the CPU figure (default 10)
  --cpu-prof DIR            write the sidecar's CPU profile to DIR (with --start node); summarise it
                            with scripts/bench/profile-summary.ts
  --start npm|node          start the sidecar with \`npm start\` (default) or \`node dist/src/main.mjs\`
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      pods: { type: 'string' },
      steps: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      requests: { type: 'string' },
      'create-concurrency': { type: 'string' },
      'delete-concurrency': { type: 'string' },
      'status-concurrency': { type: 'string' },
      'logs-requests': { type: 'string' },
      'baseline-pods': { type: 'string' },
      'leak-check': { type: 'string' },
      'leak-only': { type: 'boolean' },
      'raw-pod': { type: 'boolean' },
      out: { type: 'string' },
      template: { type: 'string' },
      image: { type: 'string' },
      'log-level': { type: 'string' },
      'keep-logs': { type: 'boolean' },
      phases: { type: 'string' },
      'poll-window': { type: 'string' },
      start: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: "${raw}" is not a whole number >= ${min}`);
    return n;
  };
  const list = (name: string, raw: string): number[] => raw.split(',').map((x) => int(name, x.trim(), 0, 1));
  const steps = values.steps ? list('steps', values.steps) : [int('pods', values.pods, 40)];
  steps.sort((a, b) => a - b);
  const duration = values.duration === undefined ? 5 : Number(values.duration);
  if (!(duration > 0))
    throw new Error(`--duration: "${values.duration}" is not a positive number of seconds`);
  const warmup = values.warmup === undefined ? 1 : Number(values.warmup);
  if (!(warmup >= 0)) throw new Error(`--warmup: "${values.warmup}" is not a number of seconds >= 0`);
  const pollWindow = values['poll-window'] === undefined ? 10 : Number(values['poll-window']);
  if (!(pollWindow > 0))
    throw new Error(`--poll-window: "${values['poll-window']}" is not a positive number of seconds`);
  const start = values.start ?? 'npm';
  if (start !== 'npm' && start !== 'node') throw new Error(`--start: "${start}" is neither npm nor node`);
  if (values['cpu-prof'] && start !== 'node') throw new Error('--cpu-prof needs --start node');
  const createConcurrency = int('create-concurrency', values['create-concurrency'], 4);
  return {
    steps: [...new Set(steps)],
    durationMs: duration * 1000,
    warmupMs: warmup * 1000,
    maxRequests: int('requests', values.requests, 200_000),
    createConcurrency,
    deleteConcurrency: int('delete-concurrency', values['delete-concurrency'], createConcurrency),
    statusConcurrency: values['status-concurrency']
      ? list('status-concurrency', values['status-concurrency'])
      : [1, 8],
    logsRequests: int('logs-requests', values['logs-requests'], 200),
    baselinePods: int('baseline-pods', values['baseline-pods'], 100, 0),
    rawPod: values['raw-pod'] ?? false,
    leakCheck: int('leak-check', values['leak-check'], 0, 0),
    leakOnly: values['leak-only'] ?? false,
    outDir: values.out ?? 'bench-results',
    template:
      values.template ??
      fileURLToPath(new URL('../../test/fixtures/interlink-examples/hello-create.json', import.meta.url)),
    image: values.image ?? 'busybox:1.36',
    sidecarLogLevel: values['log-level'] ?? 'info',
    keepLogs: values['keep-logs'] ?? false,
    ...(values.phases ? { phases: values.phases.split(',').map((x) => x.trim()) } : {}),
    pollWindowMs: pollWindow * 1000,
    start,
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
  };
}
