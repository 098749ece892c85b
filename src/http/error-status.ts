/** The one place an error's kind becomes an HTTP status (src/errors.ts lists the kinds). */
import type { ErrorKind } from '../errors.ts';

const STATUS: Record<ErrorKind, number> = {
  malformed: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  invalid: 422,
  internal: 500,
  unavailable: 503,
};

export function statusOf(kind: ErrorKind): number {
  return STATUS[kind];
}
