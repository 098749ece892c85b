/**
 * One gzip member made of parts deflated apart, as pigz does: each part is raw deflate ending in a
 * sync flush (byte-aligned, no final block), so the parts follow one another as one deflate
 * stream, closed by an empty final block; the trailer's CRC-32 is carried from part to part. A
 * part kept from scrape to scrape (the usage text, ~1 MB at 1000 pods) is deflated once, and
 * first, so its CRC is its own. One member, not several: `curl --compressed` reads only the first
 * member of a body, and would show a part of the metrics without a word.
 */
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

/** A part deflated, with the CRC-32 of its bytes from the start of the member, and its length. */
export interface DeflatedPart {
  deflated: Uint8Array;
  crc: number;
  length: number;
}

const LEVEL = 1;
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** An empty final block of fixed Huffman codes: BFINAL 1, BTYPE 01, end of block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
const OPTIONS = { level: LEVEL, finishFlush: constants.Z_SYNC_FLUSH };

/** Deflates the first part of a member, off the event loop. */
export function deflateFirstPart(bytes: Uint8Array): Promise<DeflatedPart> {
  return new Promise((resolve, reject) =>
    deflateRaw(bytes, OPTIONS, (err, deflated) =>
      err ? reject(err) : resolve({ deflated, crc: crc32(bytes), length: bytes.byteLength }),
    ),
  );
}

/**
 * The member's chunks: its header, the parts in order (those given as bytes deflated now, their
 * CRC carried on from the parts before), the final block and the trailer.
 */
export function gzipMember(parts: ReadonlyArray<DeflatedPart | Uint8Array>): Buffer[] {
  const chunks: Buffer[] = [HEADER];
  let crc = 0;
  let length = 0;
  parts.forEach((part, i) => {
    if (part instanceof Uint8Array) {
      chunks.push(deflateRawSync(part, OPTIONS));
      crc = crc32(part, crc);
      length += part.byteLength;
      return;
    }
    if (i !== 0) throw new Error('gzipMember: a part deflated before must come first (its CRC is its own)');
    chunks.push(Buffer.from(part.deflated.buffer, part.deflated.byteOffset, part.deflated.byteLength));
    crc = part.crc;
    length += part.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  chunks.push(FINAL_BLOCK, trailer);
  return chunks;
}
