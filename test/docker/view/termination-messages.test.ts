import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeByTime, readMessageFile } from '../../../src/docker/view/termination-messages.ts';

describe('readMessageFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'termination-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the last 4096 bytes of a large file, not the whole file', async () => {
    const file = join(dir, 'large');
    await fs.writeFile(file, Buffer.concat([Buffer.alloc(8 << 20, 'a'), Buffer.from('end')]));
    const message = await readMessageFile(file);
    expect(message.length).toBe(4096);
    expect(message.subarray(-4).toString()).toBe('aend');
  });

  it('does not follow a link, nor wait on a FIFO', async () => {
    const secret = join(dir, 'secret');
    await fs.writeFile(secret, 'host secret');
    const link = join(dir, 'link');
    await fs.symlink(secret, link);
    expect((await readMessageFile(link)).length).toBe(0);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await readMessageFile(fifo)).length).toBe(0);
  });

  it('gives nothing for a missing file', async () => {
    expect((await readMessageFile(join(dir, 'missing'))).length).toBe(0);
  });

  it('counts a file only if it was last written within the run', async () => {
    const file = join(dir, 'dated');
    await fs.writeFile(file, 'words');
    const at = new Date('2026-01-01T00:00:10Z');
    await fs.utimes(file, at, at);
    const ms = at.getTime();
    expect((await readMessageFile(file, ms - 1)).toString()).toBe('words');
    expect((await readMessageFile(file, ms + 1)).length).toBe(0);
    expect((await readMessageFile(file, undefined, ms + 1)).toString()).toBe('words');
    expect((await readMessageFile(file, undefined, ms)).length).toBe(0);
  });
});

describe('mergeByTime', () => {
  it('interleaves stdout and stderr by their timestamps, whatever their precision, and drops them', () => {
    const stdout = '2026-12-07T20:10:06.3691Z out 2\n2026-12-07T20:10:06.369165248Z out 3\n';
    const stderr = '2026-12-07T20:10:06.369Z err 1\n2026-12-07T20:10:06.36928Z err 4\n';
    expect(mergeByTime(stdout, stderr)).toEqual(['err 1', 'out 2', 'out 3', 'err 4']);
  });
});
