import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { offered, parseCapacity } from '../../src/pod/node-capacity.ts';

describe('the capacity a virtual node offers', () => {
  it.each([
    ['empty is the host total', '', 'cpu', 8, 8],
    ['a share', '25%', 'cpu', 8, 2],
    ['a share cut to whole millicores', '33%', 'cpu', 1, 0.33],
    ['a fixed value below the host', '2500m', 'cpu', 8, 2.5],
    ['a fixed value above the host is the host', '64', 'cpu', 8, 8],
    ['a share that would round to 0 is one millicore', '0.001%', 'cpu', 1, 0.001],
    ['memory: a share cut to whole KiB', '50%', 'memory', 3 * 1024 ** 2 + 100, 1536 * 1024],
    ['memory: fixed above the host is the host', '1Ti', 'memory', 2 * 1024 ** 3, 2 * 1024 ** 3],
    ['memory: fixed below the host', '1Gi', 'memory', 2 * 1024 ** 3, 1024 ** 3],
  ] as const)('%s', (_name, text, resource, host, want) => {
    expect(offered(parseCapacity(text, resource), host, resource)).toBe(want);
  });

  it('offers nothing (the ping leaves the field out) when the host total is unknown or 0', () => {
    expect(offered(parseCapacity('50%', 'cpu'), 0, 'cpu')).toBeUndefined();
    expect(offered(parseCapacity('', 'memory'), undefined, 'memory')).toBeUndefined();
  });

  it.each([
    ['0', /is zero: a ping with 0 drains the node/],
    ['0%', /not a share between 0% and 100%/],
    ['150%', /not a share between 0% and 100%/],
    ['lots', /not empty \(the host's total\), a share such as 50%, or a CPU quantity/],
  ])('refuses PLUGIN_NODE_CPU=%s at start-up, naming the setting', (value, why) => {
    expect(() => loadConfig([], { PLUGIN_NODE_CPU: value })).toThrow(why);
    expect(() => loadConfig([], { PLUGIN_NODE_CPU: value })).toThrow(/PLUGIN_NODE_CPU/);
  });

  it('refuses a memory setting that is not a quantity or share', () => {
    expect(() => loadConfig(['--node-memory', '12 apples'], {})).toThrow(
      /--node-memory.*memory quantity such as 64Gi/,
    );
  });
});
