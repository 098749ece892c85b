import { describe, expect, it } from 'vitest';
import {
  goText,
  lastBytes,
  logTailMessage,
  podMessageShare,
  terminatedMessage,
  terminationMessageSpec,
} from '../../src/pod/termination-message.ts';

describe('terminationMessageSpec', () => {
  it.each<[string, object, object]>([
    ['defaults as the API server does', {}, { path: '/dev/termination-log', policy: 'File' }],
    [
      'keeps a path and policy given',
      { terminationMessagePath: '/tmp/out', terminationMessagePolicy: 'FallbackToLogsOnError' },
      { path: '/tmp/out', policy: 'FallbackToLogsOnError' },
    ],
    [
      'keeps an empty path: no file, as the kubelet',
      { terminationMessagePath: '' },
      { path: '', policy: 'File' },
    ],
  ])('%s', (_name, given, want) => {
    expect(terminationMessageSpec({ name: 'c', image: 'i', ...given }, '/f')).toEqual(want);
  });

  it.each<[string, object, string]>([
    ['a relative path', { terminationMessagePath: 'out' }, '/f/terminationMessagePath'],
    ['an unknown policy', { terminationMessagePolicy: 'Always' }, '/f/terminationMessagePolicy'],
    ['a path that is not a string', { terminationMessagePath: 7 }, '/f/terminationMessagePath'],
  ])('refuses %s', (_name, given, field) => {
    expect(() => terminationMessageSpec({ name: 'c', image: 'i', ...given }, '/f')).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field })] }),
    );
  });
});

describe('limits', () => {
  it('shares 12 KiB evenly among the containers of a pod', () => {
    expect(podMessageShare(1)).toBe(12288);
    expect(podMessageShare(3)).toBe(4096);
    expect(podMessageShare(5)).toBe(2457);
    expect(podMessageShare(0)).toBe(12288);
  });

  it('keeps the last 4096 bytes of a file', () => {
    const content = Buffer.concat([Buffer.alloc(904, 'a'), Buffer.alloc(4096, 'b')]);
    expect(lastBytes(content).toString()).toBe('b'.repeat(4096));
    expect(lastBytes(Buffer.from('short')).toString()).toBe('short');
  });

  it('keeps the last 80 lines of a log, then their last 2048 bytes', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `n ${i + 1}`);
    expect(logTailMessage(lines).toString()).toBe(
      lines
        .slice(20)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const long = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(60)}`);
    const message = logTailMessage(long).toString();
    expect(message.length).toBe(2048);
    expect(message.endsWith(`099${'x'.repeat(60)}\n`)).toBe(true);
  });
});

describe('terminatedMessage', () => {
  it.each<[string, string, string | undefined, number, string]>([
    ["the container's own words alone", '', 'bye', 100, 'bye'],
    ["the runtime's message alone", 'exec failed', undefined, 100, 'exec failed'],
    ['both, joined as the kubelet joins them', 'exec failed', 'bye', 100, 'exec failed: bye'],
    ["cut to the pod's share", '', 'abcdef', 4, 'abcd'],
    ['nothing', '', '', 100, ''],
  ])('gives %s', (_name, runtime, own, share, want) => {
    expect(terminatedMessage(runtime, own === undefined ? undefined : Buffer.from(own), share)).toBe(want);
  });

  it('cuts bytes, not characters: a character cut in two becomes U+FFFD for each byte left', () => {
    expect(terminatedMessage('', Buffer.from('é€'), 4)).toBe('é\uFFFD\uFFFD');
  });
});

describe('goText', () => {
  it.each<[string, number[], string]>([
    ['valid UTF-8 as it is', [...Buffer.from('ok é € 😀')], 'ok é € 😀'],
    ['one U+FFFD per invalid byte', [0xff, 0xfe, 0x41], '\uFFFD\uFFFDA'],
    ['a truncated sequence byte by byte', [0xe2, 0x82], '\uFFFD\uFFFD'],
    ['an overlong encoding', [0xc0, 0xaf], '\uFFFD\uFFFD'],
    ['a surrogate half', [0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['NUL and control bytes kept', [0x00, 0x1b, 0x0a], '\u0000\u001b\n'],
  ])('keeps %s', (_name, bytes, want) => {
    expect(goText(Buffer.from(bytes))).toBe(want);
  });
});
