/**
 * Reads a request body straight from Node's IncomingMessage: @hono/node-server drops the
 * bodies of GET requests, and interLink sends JSON bodies on GET /status and GET /getLogs.
 *
 * What one request may cost is bounded: a body is read into one buffer (its declared length, or
 * grown by doubling), never kept as a list of chunks beside a joined copy; and bodies over
 * LARGE_BODY_BYTES are read, parsed and validated one at a time, the others waiting unread (TCP
 * holds their bytes back), so a burst of multi-MiB bodies costs the memory of one.
 */
import type { IncomingMessage } from 'node:http';
import { PluginError } from '../errors.ts';
import { releaseHeapSoon } from './heap-release.ts';

/** Bodies above this size take turns; interLink's own are a few KiB. */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** What is read and dropped after a 413 before the connection is closed instead. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** One large body at a time; resolves with the release function. */
class Turns {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  take(): Promise<() => void> {
    this.waiting++;
    let free!: () => void;
    const mine = new Promise<void>((r) => {
      free = r;
    });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      free();
      // The last of a burst of large bodies: their garbage can go back to the system.
      if (--this.waiting === 0) releaseHeapSoon();
    };
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => mine);
    return ready;
  }
}

const largeBodies = new Turns();

/** Bodies read before the request reached the app (status-fast-path.ts), by request. */
const handedOver = new WeakMap<IncomingMessage, Buffer>();

/** Gives the app a body already read from `incoming` (within the limit, declared and small). */
export function handOver(incoming: IncomingMessage, body: Buffer): void {
  handedOver.set(incoming, body);
}

export interface ReadBody {
  body: Buffer;
  /** Call once the body has been parsed and validated (a large body holds its turn until then). */
  done(): void;
}

export async function readBody(
  incoming: IncomingMessage,
  limitBytes: number,
  drainMaxBytes = DRAIN_MAX_BYTES,
): Promise<ReadBody> {
  const read = handedOver.get(incoming);
  if (read) {
    handedOver.delete(incoming);
    return { body: read, done: () => {} };
  }
  const declared = Number(incoming.headers['content-length']);
  const known = Number.isFinite(declared) && declared >= 0;
  if (known && declared > limitBytes) throw refuse(incoming, limitBytes, drainMaxBytes);
  let done = () => {};
  if (known && declared > LARGE_BODY_BYTES) done = await largeBodies.take();
  try {
    let buf = Buffer.allocUnsafe(known ? declared : 16 * 1024);
    let size = 0;
    // Leaving the loop must not destroy the request: that resets the socket under the 413 being written.
    for await (const chunk of incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (size + chunk.length > limitBytes) {
        size += chunk.length;
        break;
      }
      if (!known && size + chunk.length > LARGE_BODY_BYTES && size <= LARGE_BODY_BYTES) {
        // A chunked body that turns out large waits for its turn before growing further.
        done = await largeBodies.take();
      }
      if (size + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafe(Math.min(limitBytes, Math.max(2 * buf.length, size + chunk.length)));
        buf.copy(grown, 0, 0, size);
        buf = grown;
      }
      chunk.copy(buf, size);
      size += chunk.length;
    }
    if (size > limitBytes) throw refuse(incoming, limitBytes, drainMaxBytes);
    return { body: buf.subarray(0, size), done };
  } catch (err) {
    done();
    throw err;
  }
}

/**
 * The 413 for a body over the limit. The rest of the body is read and dropped (only once the loop
 * above has let go of the stream, or resume() is ignored): a client still sending then reads the
 * answer instead of a reset, and a kept-alive connection stays usable. A client that sends more
 * than `drainMaxBytes` after that has had its answer long since: its connection is closed.
 */
function refuse(incoming: IncomingMessage, limitBytes: number, drainMaxBytes: number): PluginError {
  let drained = 0;
  incoming.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > drainMaxBytes) incoming.socket.destroy();
  });
  incoming.resume();
  return new PluginError(
    'too-large',
    `request body is larger than the limit of ${limitBytes} bytes (PLUGIN_BODY_LIMIT)`,
  );
}

/**
 * Most JSON values a body may hold. What parsing costs grows with the values, not the bytes (a
 * 4 MB list of two million numbers took 140 MB of heap); interLink's bodies hold a few thousand.
 */
export const MAX_JSON_VALUES = 200_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;

/** Whether the JSON text holds more than `max` values, counted on the bytes before any parse. */
function holdsMoreValuesThan(raw: Buffer, max: number): boolean {
  // Every value but the first follows a comma or an opening bracket outside a string.
  let values = 1;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === COMMA || b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++values > max) return true;
    }
  }
  return false;
}

/** Parses JSON; an empty body is `undefined` so each route decides whether that is allowed. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  // Each value past the first takes a byte of its own before it: a shorter body cannot hold more
  // values than the limit, and a /status poll is not scanned byte by byte in JS.
  if (raw.length >= MAX_JSON_VALUES && holdsMoreValuesThan(raw, MAX_JSON_VALUES)) {
    throw new PluginError(
      'invalid',
      `request body holds more than ${MAX_JSON_VALUES} JSON values, the limit`,
      {
        details: [{ field: '', problem: `holds more than ${MAX_JSON_VALUES} JSON values` }],
      },
    );
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new PluginError('invalid', `request body is not valid JSON: ${(err as Error).message}`, {
      details: [{ field: '', problem: 'is not valid JSON' }],
    });
  }
}
