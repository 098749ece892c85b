import { describe, expect, it } from 'vitest';
import { hostNetworkExposure } from '../../src/config/listener-exposure.ts';
import type { Config } from '../../src/config/load-config.ts';

type Exposure = Parameters<typeof hostNetworkExposure>[0];
const tcp = (port: number): Config['listen'] => ({ kind: 'tcp', host: '127.0.0.1', port });
const base: Exposure = {
  podSecurityLevel: 'privileged',
  listen: tcp(4000),
  authToken: undefined,
  metricsListen: undefined,
  metricsToken: undefined,
};

describe('the start-up warning about pods on the host network', () => {
  it('says that a hostNetwork pod can drive an API on TCP without a token, and what to do', () => {
    const warning = hostNetworkExposure(base);
    expect(warning).toMatch(
      /PLUGIN_POD_SECURITY_LEVEL is privileged, so a pod may share this host.s network/,
    );
    expect(warning).toMatch(/the plugin API on 127.0.0.1:4000 has no token \(PLUGIN_AUTH_TOKEN\)/);
    expect(warning).toMatch(/unix socket/);
  });

  it('names an open metrics listener too', () => {
    const warning = hostNetworkExposure({ ...base, authToken: 't', metricsListen: tcp(9090) });
    expect(warning).not.toMatch(/plugin API/);
    expect(warning).toMatch(/\/metrics on 127.0.0.1:9090 has no token \(PLUGIN_METRICS_TOKEN\)/);
  });

  it.each<[string, Exposure]>([
    ['the level keeps pods off the host network', { ...base, podSecurityLevel: 'baseline' }],
    ['restricted', { ...base, podSecurityLevel: 'restricted' }],
    ['the API needs a token', { ...base, authToken: 't' }],
    ['the API is a unix socket', { ...base, listen: { kind: 'unix', path: '/run/p.sock' } }],
    ['both listeners need tokens', { ...base, authToken: 't', metricsListen: tcp(9090), metricsToken: 'm' }],
  ])('stays quiet when %s', (_why, config) => {
    expect(hostNetworkExposure(config)).toBeUndefined();
  });
});
