/**
 * A scrape that takes gzip gets the same exposition as one that does not, gzipped as one member:
 * the same lines once decompressed, whether a prepared family brings its text deflated or not.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateFirstPart } from '../../src/metrics/gzip-member.ts';
import { PluginMetrics } from '../../src/metrics/plugin-metrics.ts';

const USAGE =
  '# HELP container_memory_rss Size of RSS\n# TYPE container_memory_rss gauge\ncontainer_memory_rss{pod="p"} 7\n';
const OTHER = '# HELP other_total Other\n# TYPE other_total counter\nother_total 1\n';

function metrics(): PluginMetrics {
  const m = new PluginMetrics({
    view: {
      podUids: () => ['a'],
      containersOfPod: () => [],
      health: () => ({ eventsConnected: true, lastSyncAt: undefined, lastError: undefined }),
    },
  });
  m.addPrepared({
    text: async () => Buffer.from(USAGE),
    deflated: () => deflateFirstPart(Buffer.from(USAGE)),
  });
  m.addPrepared({ text: async () => OTHER });
  m.observeRequest('GET', '/status', 200, 0.002);
  return m;
}

/** The lines whose values cannot move between two scrapes (not the process's own). */
const steady = (text: string) => text.split('\n').filter((l) => l && !/(process_|nodejs_)/.test(l));

describe('the exposition', () => {
  it('is the same text gzipped when the scrape takes gzip', async () => {
    const m = metrics();
    const plain = await m.exposition(false);
    const gzipped = await m.exposition(true);
    expect(plain.gzipped).toBe(false);
    expect(gzipped.gzipped).toBe(true);
    expect(gzipped.contentType).toBe(plain.contentType);
    const text = gunzipSync(Buffer.concat(gzipped.chunks)).toString();
    expect(steady(text)).toEqual(steady(Buffer.concat(plain.chunks).toString()));
    expect(text.startsWith(USAGE + OTHER)).toBe(true);
    expect(text).toContain(
      'interlink_docker_plugin_http_request_duration_seconds_count{route="/status",method="GET",code="200"} 1\n',
    );
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge\n');
  });
});
