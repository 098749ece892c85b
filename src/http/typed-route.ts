/**
 * Binds a handler to `paths[path][method]` of the generated contract: the body it receives and
 * every answer it may give (status and body) are the spec's, so a spec change breaks `tsc` here.
 */
import type { paths } from '../../generated/plugin-api.ts';

export type Path = keyof paths;
export type Method<P extends Path> = {
  [M in keyof paths[P]]: paths[P][M] extends { responses: unknown } ? M : never;
}[keyof paths[P]];
type Operation<P extends Path, M extends Method<P>> = paths[P][M];

/** The JSON request body of an operation (never when it has none). */
export type RequestBody<P extends Path, M extends Method<P>> =
  Operation<P, M> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : never;

type Responses<P extends Path, M extends Method<P>> =
  Operation<P, M> extends { responses: infer R } ? R : never;

type ReplyFor<S, R> = R extends { content: { 'application/json': infer J } }
  ? { status: S; json: J }
  : R extends { content: { 'text/plain': unknown } }
    ? { status: S; text: string | ReadableStream<Uint8Array> }
    : never;

/** Every answer the spec allows for an operation: `{ status, json }` or `{ status, text }`. */
export type Reply<P extends Path, M extends Method<P>> = {
  [S in keyof Responses<P, M>]: ReplyFor<S, Responses<P, M>[S]>;
}[keyof Responses<P, M>];

export interface RouteContext {
  signal: AbortSignal;
}

export type Handler<P extends Path, M extends Method<P>> = (
  body: RequestBody<P, M>,
  ctx: RouteContext,
) => Promise<Reply<P, M>>;

/** What the app sees of any route once its types have been checked. */
export interface BoundRoute {
  path: string;
  method: string;
  handle: (
    body: unknown,
    ctx: RouteContext,
  ) => Promise<
    { status: number; json: unknown } | { status: number; text: string | ReadableStream<Uint8Array> }
  >;
}

/** Binds a handler to its operation; P and M come from the path and method alone. */
export function route<P extends Path, M extends Method<P>>(
  path: P,
  method: M,
  handle: NoInfer<Handler<P, M>>,
): BoundRoute {
  return { path, method: String(method), handle: handle as unknown as BoundRoute['handle'] };
}
