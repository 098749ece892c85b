/**
 * The `Authorization: Bearer TOKEN` check. The scheme is case-insensitive (RFC 7235 section 2.1:
 * `bearer`, `BEARER` are the same scheme); the token is compared in constant time, so the time an
 * answer takes says nothing about how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether the Authorization header carries the bearer `token`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)[ ]+(\S+)[ ]*$/.exec(header ?? '');
  if (m?.[1]?.toLowerCase() !== 'bearer') return false;
  // Equal-length digests: timingSafeEqual needs equal lengths, and the token's length stays private.
  return timingSafeEqual(digest(m[2] ?? ''), digest(token));
}
