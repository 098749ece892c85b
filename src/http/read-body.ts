/**
 * Reads a request body straight from Node's IncomingMessage: @hono/node-server drops the
 * bodies of GET requests, and interLink sends JSON bodies on GET /status and GET /getLogs.
 */
import type { IncomingMessage } from 'node:http';
import { PluginError } from '../errors.ts';

export async function readBody(incoming: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    incoming.resume();
    throw tooLarge(limitBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      incoming.resume();
      throw tooLarge(limitBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
