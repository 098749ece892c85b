/**
 * The kit's calls to the plugin, made with the plugin client's `raw` so the exact status and bytes are
 * seen, each held against the contract. A call that gets no answer at all fails with the transport error.
 */
import type { PluginClient } from '../client/plugin-client.ts';
import { fail, show } from './checks.ts';
import type { ResponseValidator } from './response-validator.ts';

export interface WireAnswer {
  /** `GET /status`, for reasons. */
  call: string;
  status: number;
  text: string;
  headers: Record<string, string>;
}

export class PluginWire {
  constructor(
    readonly client: PluginClient,
    readonly contract: ResponseValidator,
  ) {}

  /**
   * Sends a body as given (JSON text, or anything for bad-input scenarios) and reads the whole answer.
   * `headers` go over the client's (an empty value leaves one out, e.g. `Accept`, as interLink does).
   */
  async send(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<WireAnswer> {
    const call = `${method} ${path}`;
    try {
      const answer = await this.client.raw(method, path, body, headers);
      return { call, ...answer };
    } catch (error) {
      const cause = error instanceof Error ? `${error.message}${codeOf(error)}` : String(error);
      return fail(`${call} got no answer: ${cause}`);
    }
  }

  /** Sends `value` as JSON and expects 200 with a body the contract allows (`schema` narrows a JSON one). */
  async ok(method: 'GET' | 'POST', path: string, value: unknown, schema?: string): Promise<unknown> {
    const answer = await this.send(method, path, JSON.stringify(value));
    return this.expectOk(method, path, answer, schema);
  }

  expectOk(method: string, path: string, answer: WireAnswer, schema?: string): unknown {
    if (answer.status !== 200)
      fail(`expected ${answer.call} to answer 200, got ${answer.status}: ${show(answer.text)}`);
    return this.contract.expectDocumented(method, path, answer, schema);
  }

  /**
   * Expects a refusal: a 4xx whose body is the contract's JSON Error, with `status` repeating the HTTP
   * status. `why` says what was sent, for the reason.
   */
  expectClientError(answer: WireAnswer, why: string, exactly?: number): void {
    const wanted = exactly === undefined ? 'a 4xx' : String(exactly);
    const okStatus =
      exactly === undefined ? answer.status >= 400 && answer.status < 500 : answer.status === exactly;
    if (!okStatus)
      fail(
        `expected ${answer.call} with ${why} to answer ${wanted}, got ${answer.status}: ${show(answer.text)}`,
      );
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      fail(`expected ${answer.call} with ${why} to answer a JSON error body, got ${show(answer.text)}`);
    }
    this.contract.expectSchema('Error', body, `${answer.call} ${answer.status} response`);
    const repeated = (body as { status?: unknown }).status;
    if (repeated !== answer.status) {
      fail(
        `expected the error body's status to repeat the HTTP status ${answer.status}, got ${show(repeated)}`,
      );
    }
  }
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}
