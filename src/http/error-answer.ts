/**
 * An error answer in the form the client can read. interLink sends no Accept header and puts a
 * failed /create's body, HTML-escaped, into the pod's status.message: a person reads it in
 * `kubectl describe`. So a client that does not ask for JSON gets one plain sentence naming the
 * field and what to do; a client that accepts application/json (the kit, the typed client) gets
 * the contract's Error body.
 */
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../contract/api-types.ts';
import type { FieldProblem } from '../errors.ts';

/** Answers an error as JSON (`Accept` names application/json) or as one line of text/plain. */
export function errorAnswer(
  c: Context,
  status: number,
  message: string,
  details?: FieldProblem[],
  headers: Record<string, string> = {},
): Response {
  const code = status as ContentfulStatusCode;
  if (wantsJson(c)) {
    const body: ErrorBody = details ? { status, error: message, details } : { status, error: message };
    return c.json(body, code, headers);
  }
  return c.text(errorSentence(c.req.path, status, message, details), code, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
  });
}

/** Only an explicit application/json (or application/*): a bare `*\/*` is a person's curl or browser. */
function wantsJson(c: Context): boolean {
  return (
    accepts(c, { header: 'Accept', supports: ['application/json', 'text/plain'], default: 'text/plain' }) ===
    'application/json'
  );
}

const SUBJECT: Record<string, string> = {
  '/create': 'The pod was not created',
  '/delete': 'The pod was not deleted',
  '/status': 'The status request failed',
  '/getLogs': 'The logs could not be read',
};

/**
 * One line for a person: what failed, the first bad field (as a Kubernetes path, e.g.
 * `spec.containers[0].image`) or the reason, and what to do. Free of the characters interLink
 * HTML-escapes (quotes, angle brackets), so `kubectl describe` shows it as written.
 */
export function errorSentence(
  path: string,
  status: number,
  message: string,
  details?: FieldProblem[],
): string {
  const subject = SUBJECT[path] ?? `${path} failed`;
  const first = details?.[0];
  let what: string;
  if (first) {
    const more =
      details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
    what = `${fieldPath(first.field, path)} ${first.problem}${more}`;
  } else what = message;
  return plain(`${subject}: ${withoutTrailingStop(what)}. ${todo(path, status, first !== undefined, what)}`);
}

/** What the reader can do about it. */
function todo(path: string, status: number, fieldNamed: boolean, what: string): string {
  if (status === 413) return 'Raise PLUGIN_BODY_LIMIT on the plugin or send less.';
  if (status === 401) return 'Configure the same token on both sides.';
  if (status === 403)
    return 'Change the pod to meet the node Pod Security level, or ask the operator of the node about PLUGIN_POD_SECURITY_LEVEL.';
  if (status === 409) return 'Create the pod again once the node has room for it.';
  if (status >= 500)
    return /\blog\b/.test(what)
      ? 'Try again once the Docker host is healthy.'
      : 'The plugin log has the details; try again once the Docker host is healthy.';
  if (fieldNamed)
    return path === '/create'
      ? 'Correct that field of the pod and create it again.'
      : 'Correct that field and send the request again.';
  if (status === 404) return 'Check the pod and container names.';
  return 'Correct the request and send it again.';
}

/** `/pod/spec/containers/0/image` → `spec.containers[0].image` (a pod's fields as kubectl names them). */
export function fieldPath(pointer: string, path = ''): string {
  if (pointer === '') return 'the body';
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  // A create's pod is what the person wrote: name its fields from the pod down.
  if (path === '/create' && parts[0] === 'pod' && parts.length > 1) parts.shift();
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function withoutTrailingStop(s: string): string {
  return s.trim().replace(/[.\s]+$/, '');
}

/** One line, without the characters Go's html.EscapeString would turn into entities. */
function plain(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replaceAll('"', '')
    .replaceAll("'", '\u2019')
    .replaceAll('<', '\u2039')
    .replaceAll('>', '\u203a')
    .replaceAll('&', 'and')
    .trim();
}
