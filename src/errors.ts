/** One problem with one field of a request body. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * What kind of failure an error is, as virtual-kubelet's errdefs sorts them. The rooms below HTTP
 * raise kinds; only the HTTP layer (src/http/error-status.ts) turns a kind into a status code.
 * - `malformed`: the request cannot be understood as asked (two options that exclude each other).
 * - `invalid`: a well-formed body asks for something refused; `details` names the fields.
 * - `unauthorized`: the caller did not prove who it is.
 * - `forbidden`: the node's policy refuses it (Pod Security level).
 * - `not-found`: the pod or container named is not here.
 * - `conflict`: the node cannot take it now (devices held by other pods).
 * - `too-large`: the body is over the limit.
 * - `unavailable`: a passing condition (Docker down, plugin busy); `retryAfterSeconds` says when.
 * - `internal`: the plugin or the engine failed; the message is for the log, not the user.
 */
export type ErrorKind =
  | 'malformed'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unavailable'
  | 'internal';

/**
 * An error the plugin raises on purpose: its kind, a message a user can act on, and a cause.
 * Anything that is not a PluginError is an internal error.
 */
export class PluginError extends Error {
  readonly kind: ErrorKind;
  readonly details: FieldProblem[] | undefined;
  /** With `unavailable`: sent as `Retry-After` (seconds), the condition is expected to pass. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { cause?: unknown; details?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PluginError';
    this.kind = kind;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A body that is valid JSON of the right shape but asks for something we refuse, naming the field. */
export function invalidField(field: string, problem: string): PluginError {
  return new PluginError('invalid', `invalid request: ${field} ${problem}`, {
    details: [{ field, problem }],
  });
}

/** A pod the node's policy does not admit (the API server answers a PodSecurity violation with 403). */
export function forbidden(message: string): PluginError {
  return new PluginError('forbidden', message);
}
