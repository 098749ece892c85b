/** The command line of `npm run conformance`, parsed into the kit's options (no side effects here). */
import { parseArgs } from 'node:util';
import type { PluginTarget } from '../client/plugin-client.ts';
import { parseTaints, type Taint } from '../pod/taints.ts';
import { CI_EXCLUSIONS } from './ci-exclusions.ts';
import { ENGINE_EXCLUSIONS } from './engine-exclusions.ts';
import type { ConformanceOptions } from './run-conformance.ts';

export const USAGE = `Usage: npm run conformance -- (--url http://HOST:PORT | --socket PATH) [options]

Drives an interLink plugin through every scenario as interLink does and reports what does not conform.

Target:
  --url URL              the plugin's base URL (unix:///PATH means a unix socket, as in interLink's SidecarURL)
  --socket PATH          the plugin's unix socket
Selection:
  --only a,b             run only these scenario ids (repeatable)
  --skip a,b             leave these out; they are reported as not run (repeatable)
  --ci-exclusions        leave out the scenarios of src/conformance/ci-exclusions.ts, with their reasons
  --engine NAME          leave out what this kind of engine cannot do (src/conformance/engine-exclusions.ts:
                         rootless-cgroup-v1), with the reasons
  --list [--markdown]    print every scenario id and what it checks, then exit
Running:
  --timeout SECONDS      per scenario (default 60)
  --parallel N           scenarios at once (default 1; the ping always runs first, alone)
  --poll-interval SECS   between two GET /status of a pod (default 1, as the Virtual Kubelet)
  --image-map FROM=TO    use image TO wherever a scenario names FROM (repeatable; default image busybox:1.36)
  --namespace NS         namespace of the kit's pods (default conformance)
  --header 'NAME: VALUE' extra header on every request, e.g. Authorization (repeatable)
  --taints SPEC          the taints the plugin is configured to send (key=value:Effect,...); without,
                         its ping must carry no taints (they would replace the node's own)
Reports:
  --json FILE            write the results as JSON
  --junit FILE           write the results as JUnit XML
Exit status: 0 when every scenario run passed, 1 when one failed, 2 on a usage error.`;

/** How an engine's exclusion reads in the report. */
const ENGINE_PREFIX = 'cannot pass on ';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list'; markdown: boolean }
  | { kind: 'run'; options: ConformanceOptions; json?: string; junit?: string };

function number(flag: string, text: string | undefined, fallback: number, integer = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

const ids = (lists: string[] | undefined) =>
  (lists ?? [])
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function target(url: string | undefined, socket: string | undefined): PluginTarget {
  if ((url === undefined) === (socket === undefined))
    throw new UsageError('give exactly one of --url and --socket');
  if (socket !== undefined) return { socketPath: socket };
  const u = url as string;
  if (u.startsWith('unix://')) return { socketPath: u.slice('unix://'.length) };
  if (!/^https?:\/\/[^/]+/.test(u))
    throw new UsageError(`--url must look like http://HOST:PORT, got ${JSON.stringify(u)}`);
  return { baseUrl: u };
}

export function parseCli(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v.list) return { kind: 'list', markdown: v.markdown === true };
  if (v.markdown) throw new UsageError('--markdown goes with --list');

  const imageMap: Record<string, string> = {};
  for (const entry of v['image-map'] ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1)
      throw new UsageError(`--image-map wants FROM=TO, got ${JSON.stringify(entry)}`);
    imageMap[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const headers: Record<string, string> = {};
  for (const entry of v.header ?? []) {
    const at = entry.indexOf(':');
    if (at <= 0) throw new UsageError(`--header wants 'NAME: VALUE', got ${JSON.stringify(entry)}`);
    headers[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  const skip: Record<string, string> = v['ci-exclusions'] ? { ...CI_EXCLUSIONS } : {};
  if (v.engine !== undefined) {
    const excluded = ENGINE_EXCLUSIONS[v.engine];
    if (!excluded)
      throw new UsageError(
        `--engine must be one of ${Object.keys(ENGINE_EXCLUSIONS).join(', ')}, got ${JSON.stringify(v.engine)}`,
      );
    for (const [id, why] of Object.entries(excluded)) skip[id] = `${ENGINE_PREFIX}${v.engine}: ${why}`;
  }
  for (const id of ids(v.skip)) skip[id] = 'left out by --skip';
  const only = ids(v.only);
  let taints: Taint[] | undefined;
  if (v.taints !== undefined) {
    try {
      taints = parseTaints(v.taints);
    } catch (error) {
      throw new UsageError(`--taints: ${(error as Error).message}`);
    }
  }

  const options: ConformanceOptions = {
    target: target(v.url, v.socket),
    ...(only.length > 0 ? { only } : {}),
    skip: Object.fromEntries(
      Object.entries(skip).map(([id, why]) => [
        id,
        why === 'left out by --skip' || why.startsWith(ENGINE_PREFIX) ? why : `CI exclusion: ${why}`,
      ]),
    ),
    timeoutSeconds: number('--timeout', v.timeout, 60),
    parallel: number('--parallel', v.parallel, 1, true),
    pollIntervalSeconds: number('--poll-interval', v['poll-interval'], 1),
    imageMap,
    ...(v.namespace ? { namespace: v.namespace } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(taints ? { taints } : {}),
  };
  return {
    kind: 'run',
    options,
    ...(v.json ? { json: v.json } : {}),
    ...(v.junit ? { junit: v.junit } : {}),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      socket: { type: 'string' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      'ci-exclusions': { type: 'boolean' },
      engine: { type: 'string' },
      timeout: { type: 'string' },
      parallel: { type: 'string' },
      'poll-interval': { type: 'string' },
      'image-map': { type: 'string', multiple: true },
      namespace: { type: 'string' },
      header: { type: 'string', multiple: true },
      taints: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      list: { type: 'boolean' },
      markdown: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
