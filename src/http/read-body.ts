/**
 * Reads a request body straight from Node's IncomingMessage: @hono/node-server drops the
 * bodies of GET requests, and interLink sends JSON bodies on GET /status and GET /getLogs.
 */
import type { IncomingMessage } from 'node:http';
import { PluginError } from '../errors.ts';

export async function readBody(incoming: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw refuse(incoming, limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop must not destroy the request: that resets the socket under the 413 being written.
  for await (const chunk of incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) break;
    chunks.push(chunk);
  }
  if (size > limitBytes) throw refuse(incoming, limitBytes);
  return Buffer.concat(chunks);
}

/**
 * The 413 for a body over the limit. The rest of the body is read and dropped (only once the loop
 * above has let go of the stream, or resume() is ignored): a client still sending then reads the
 * answer instead of a reset, and a kept-alive connection stays usable.
 */
function refuse(incoming: IncomingMessage, limitBytes: number): PluginError {
  incoming.resume();
  return tooLarge(limitBytes);
}

function tooLarge(limitBytes: number): PluginError {
  return new PluginError(
    413,
    `request body is larger than the limit of ${limitBytes} bytes (PLUGIN_BODY_LIMIT)`,
  );
}

/** Parses JSON; an empty body is `undefined` so each route decides whether that is allowed. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new PluginError(422, `request body is not valid JSON: ${(err as Error).message}`, {
      details: [{ field: '', problem: 'is not valid JSON' }],
    });
  }
}
