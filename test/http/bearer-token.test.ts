import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/http/bearer-token.ts';

describe('the bearer token check', () => {
  it.each([
    ['Bearer s3cret', true],
    ['bearer s3cret', true],
    ['BEARER s3cret', true],
    ['Bearer   s3cret', true],
    ['Bearer s3cret ', true],
    ['Bearer s3cre', false],
    ['Bearer s3crett', false],
    ['Basic s3cret', false],
    ['Bearers3cret', false],
    ['s3cret', false],
    ['Bearer s3cret extra', false],
    ['', false],
  ])('%j → %s (the scheme is case-insensitive, RFC 7235)', (header, ok) => {
    expect(bearerMatches(header, 's3cret')).toBe(ok);
  });

  it('refuses a request without the header', () => {
    expect(bearerMatches(undefined, 's3cret')).toBe(false);
  });
});
