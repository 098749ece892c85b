/**
 * A container's termination message, as the kubelet gives it (pkg/kubelet/kuberuntime,
 * getTerminationMessage; pkg/kubelet/status, normalizeStatus): the file at terminationMessagePath,
 * its last 4096 bytes; with FallbackToLogsOnError, the tail of the log of a failed run whose file is
 * empty; the runtime's own message first, joined by ": "; every terminated message of a pod cut to
 * an even share of 12 KiB. Bytes all along, made valid text last, as Go's JSON encoder does.
 */
import type { Container } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';

/** kubecontainer.MaxContainerTerminationMessageLength: the file's last bytes kept. */
export const MAX_MESSAGE_BYTES = 4096;
/** kubecontainer.MaxPodTerminationMessageLogLength: shared evenly among a pod's containers. */
export const MAX_POD_MESSAGE_BYTES = 12 * 1024;
/** kubecontainer.MaxContainerTerminationMessageLogLength and ...LogLines: the log fallback. */
export const MAX_LOG_MESSAGE_BYTES = 2048;
export const MAX_LOG_MESSAGE_LINES = 80;

export const DEFAULT_MESSAGE_PATH = '/dev/termination-log';

export type TerminationMessagePolicy = 'File' | 'FallbackToLogsOnError';

export interface TerminationMessageSpec {
  /** Where the container sees its file; '' (given empty): no file, as the kubelet skips it. */
  path: string;
  policy: TerminationMessagePolicy;
}

/**
 * The container's path and policy with the API server's defaults. A path Docker cannot mount (not
 * absolute) and a policy the API server refuses are invalid input.
 */
export function terminationMessageSpec(c: Container, field: string): TerminationMessageSpec {
  const path = c.terminationMessagePath ?? DEFAULT_MESSAGE_PATH;
  const policy = c.terminationMessagePolicy ?? 'File';
  if (typeof path !== 'string') throw invalidField(`${field}/terminationMessagePath`, 'must be a string');
  if (policy !== 'File' && policy !== 'FallbackToLogsOnError')
    throw invalidField(
      `${field}/terminationMessagePolicy`,
      `must be File or FallbackToLogsOnError, not ${JSON.stringify(policy)}`,
    );
  if (path !== '' && !path.startsWith('/'))
    throw invalidField(`${field}/terminationMessagePath`, 'must be an absolute path');
  return { path, policy };
}

/** The bytes each terminated message of a pod keeps: 12 KiB split evenly, as normalizeStatus. */
export function podMessageShare(containerCount: number): number {
  return containerCount > 0 ? Math.floor(MAX_POD_MESSAGE_BYTES / containerCount) : MAX_POD_MESSAGE_BYTES;
}

/** The last `max` bytes of a file's content, as the kubelet's tail.ReadAtMost keeps them. */
export function lastBytes(content: Buffer, max = MAX_MESSAGE_BYTES): Buffer {
  return content.length > max ? content.subarray(content.length - max) : content;
}

/**
 * A terminated state's message: the runtime's (Docker's State.Error) and the container's own
 * joined by ": " (kubelet's convertToKubeContainerStatus), cut to the pod's share, as text.
 */
export function terminatedMessage(runtime: string, own: Buffer | undefined, share: number): string {
  const parts = [Buffer.from(runtime, 'utf8'), own ?? Buffer.alloc(0)].filter((b) => b.length > 0);
  const joined = Buffer.concat(parts.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from(': '), b])));
  return goText(joined.subarray(0, share));
}

/**
 * Bytes as Go's encoding/json writes a string: valid UTF-8 kept, every byte that does not begin
 * a valid sequence replaced by U+FFFD (one per byte, where a WHATWG decoder may merge them).
 */
export function goText(bytes: Buffer): string {
  let out = '';
  let from = 0;
  let i = 0;
  const flush = (to: number) => {
    if (to > from) out += bytes.toString('utf8', from, to);
  };
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    out += '\uFFFD';
    i += 1;
    from = i;
  }
  flush(i);
  return out;
}

/** The length of the valid UTF-8 sequence at `i` (Go's utf8 accept ranges), 0 when there is none. */
function validSequenceLength(b: Buffer, i: number): number {
  const lead = b[i] as number;
  if (lead < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) n = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead === 0xe0) lo = 0xa0;
    if (lead === 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead === 0xf0) lo = 0x90;
    if (lead === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > b.length) return 0;
  const second = b[i + 1] as number;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < n; k++) {
    const c = b[i + k] as number;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return n;
}

/**
 * The log fallback's message from the last lines of a run's log, oldest first: at most the last 80
 * lines, and of those the last 2048 bytes (the kubelet reads 80 lines into a circular buffer of
 * 2048 bytes: readLastStringFromContainerLogs).
 */
export function logTailMessage(lines: readonly string[]): Buffer {
  const kept = lines.slice(-MAX_LOG_MESSAGE_LINES);
  const text = Buffer.from(kept.map((l) => `${l}\n`).join(''), 'utf8');
  return lastBytes(text, MAX_LOG_MESSAGE_BYTES);
}
