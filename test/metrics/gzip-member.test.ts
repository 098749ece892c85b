/**
 * Parts deflated apart make one gzip member: any gzip reader, including those that read only a
 * body's first member (curl --compressed), gets every part, in order.
 */
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateFirstPart, gzipMember } from '../../src/metrics/gzip-member.ts';

const usage = Buffer.from(
  Array.from(
    { length: 3000 },
    (_, i) => `container_memory_rss{namespace="ns",pod="pod-${i}",container="app"} ${i * 4096}\n`,
  ).join(''),
);
const own = Buffer.from('# HELP up One\n# TYPE up gauge\nup 1\nnaïve 2\n');
const other = Buffer.from('other_total 3\n');

/** What a reader of one member sees: the deflate stream up to its final block, and the trailer. */
function oneMember(body: Buffer): { text: string; crc: number; size: number } {
  expect(body.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 8]));
  return {
    text: inflateRawSync(body.subarray(10, -8)).toString(),
    crc: body.readUInt32LE(body.length - 8),
    size: body.readUInt32LE(body.length - 4),
  };
}

describe('gzipMember', () => {
  it.each([
    ['a part deflated before, then parts deflated now', true],
    ['parts deflated now only', false],
  ])('makes one member of %s', async (_name, kept) => {
    const first = kept ? await deflateFirstPart(usage) : usage;
    const body = Buffer.concat(gzipMember([first, other, own]));
    const whole = Buffer.concat([usage, other, own]);
    expect(gunzipSync(body)).toEqual(whole);
    const member = oneMember(body);
    expect(member.text).toBe(whole.toString());
    expect(member.crc).toBe(crc32(whole));
    expect(member.size).toBe(whole.length);
    // Level 1 on label-heavy text: well under a fifth of the bytes.
    expect(body.length).toBeLessThan(whole.length / 5);
  });

  it('refuses a part deflated before anywhere but first, whose CRC would be wrong there', async () => {
    const kept = await deflateFirstPart(usage);
    expect(() => gzipMember([own, kept])).toThrow(/must come first/);
  });

  it('makes a valid member of nothing', () => {
    expect(gunzipSync(Buffer.concat(gzipMember([])))).toEqual(Buffer.alloc(0));
  });
});
