import { describe, expect, it } from 'vitest';
import { mergeTimestamped, safeTail, secretValues } from '../../../src/docker/network/helper-log-tail.ts';
import { meshTemplateData, renderMeshScript } from '../../fixtures/interlink-mesh.ts';

const data = meshTemplateData('8a2f3c4d-1111-2222-3333-444455556666', {
  WGConfig:
    '[Interface]\nPrivateKey = cHJpdmF0ZS1rZXktb2YtdGhlLXBvZC1wcml2YXRlLWs=\n\n[Peer]\nPublicKey = d29ybGQtd29ybGQtd29ybGQtd29ybGQtd29ybGQtMDA=\nPresharedKey = c2hhcmVkLXNoYXJlZC1zaGFyZWQtc2hhcmVkLXNoYXI=\nEndpoint = 127.0.0.1:51821\n',
  RandomPassword: 'tunnel-door-7f3a9c',
});

describe('secretValues', () => {
  it.each(['0.6.2', 'pr538'] as const)(
    "finds the keys and the wstunnel path prefix in interLink %s's script",
    (v) => {
      const secrets = secretValues(renderMeshScript(data, v), [
        'http://alice:s3cr3t-pw@proxy.site:3128',
        'http://plain:3128',
      ]);
      expect(secrets).toEqual(
        expect.arrayContaining([
          'cHJpdmF0ZS1rZXktb2YtdGhlLXBvZC1wcml2YXRlLWs=',
          'c2hhcmVkLXNoYXJlZC1zaGFyZWQtc2hhcmVkLXNoYXI=',
          'tunnel-door-7f3a9c',
          'alice:s3cr3t-pw',
          's3cr3t-pw',
        ]),
      );
      expect(secrets.some((s) => s.includes('plain'))).toBe(false);
    },
  );
});

describe('safeTail', () => {
  const secrets = secretValues(renderMeshScript(data, 'pr538'), ['http://alice:s3cr3t-pw@proxy.site:3128']);

  it('shows the last lines, leaving out every line with a secret and saying so', () => {
    const log = [
      'early line',
      'Downloading wg (attempt 1/5)...',
      'Running: RUST_LOG=debug ./wstunnel client --http-upgrade-path-prefix tunnel-door-7f3a9c ws://x:80',
      'Detected proxy in environment (http://alice:s3cr3t-pw@proxy.site:3128), routing wstunnel through it',
      'GET /tunnel-door-7f3a9c HTTP/1.1',
      'interface: wg0 public key: d29ybGQtd29ybGQtd29ybGQtd29ybGQtd29ybGQtMDA=',
      '  private key: (hidden)',
      '\x1b[31mERROR: WireGuard server 10.7.0.1 is unreachable\x1b[0m\r',
    ].join('\n');
    const tail = safeTail(log, secrets, 4);
    expect(tail).toEqual([
      'early line',
      'Downloading wg (attempt 1/5)...',
      '(5 lines left out: they may hold a secret)',
      'ERROR: WireGuard server 10.7.0.1 is unreachable',
    ]);
    const joined = tail.join('\n');
    for (const s of [...secrets, 'd29ybGQtd29ybGQtd29ybGQtd29ybGQtd29ybGQtMDA='])
      expect(joined).not.toContain(s);
  });

  it('keeps only the last lines asked for, each cut to a readable length', () => {
    const log = Array.from({ length: 30 }, (_, i) => `line ${i} ${'x'.repeat(i === 29 ? 500 : 1)}`).join(
      '\n',
    );
    const tail = safeTail(log, [], 3);
    expect(tail.map((l) => l.slice(0, 7))).toEqual(['line 27', 'line 28', 'line 29']);
    expect(tail[2]?.length).toBeLessThan(260);
  });
});

describe('mergeTimestamped', () => {
  it("puts stdout and stderr back in the order they were written (Docker drops a fraction's trailing zeros)", () => {
    const out = '2026-12-07T04:00:01.1Z first\n2026-12-07T04:00:01.3Z third\n';
    const err = '2026-12-07T04:00:01.25Z second\n2026-12-07T04:00:02Z fourth\n';
    expect(mergeTimestamped(out, err)).toBe('first\nsecond\nthird\nfourth');
  });
});
