import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pauseElf, singleFileTar } from '../../src/docker/pause-image.ts';

describe('the built-in sandbox image', () => {
  it.each([
    ['x64', 0x3e],
    ['arm64', 0xb7],
  ] as const)('is a static ELF64 executable for %s', (arch, machine) => {
    const elf = pauseElf(arch);
    expect(elf.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(elf.readUInt16LE(18)).toBe(machine);
    // The entry point lies inside the one loaded segment.
    const entry = Number(elf.readBigUInt64LE(24));
    expect(entry - 0x400000).toBeLessThan(elf.length);
  });

  it('is packed in a tar archive that tar itself reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pause-'));
    const file = join(dir, 'pause.tar');
    const content = pauseElf('x64');
    writeFileSync(file, singleFileTar('pause', content));
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x .* pause\n$/);
    const extracted = execFileSync('tar', ['-xOf', file, 'pause']);
    expect(Buffer.compare(extracted, content)).toBe(0);
  });
});
