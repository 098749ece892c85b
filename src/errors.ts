/** One problem with one field of a request body. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * The one error class of the plugin: an HTTP status, a message a user can act on, and a cause.
 * The HTTP layer maps it to the spec's Error body; anything else becomes a 500.
 */
export class PluginError extends Error {
  readonly status: number;
  readonly details: FieldProblem[] | undefined;
  /** Sent as `Retry-After` (seconds) with a 503: the condition is expected to pass. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    message: string,
    options: { cause?: unknown; details?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PluginError';
    this.status = status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** 422 for a body that is valid JSON of the right shape but asks for something we refuse. */
export function invalidField(field: string, problem: string): PluginError {
  return new PluginError(422, `invalid request: ${field} ${problem}`, { details: [{ field, problem }] });
}
