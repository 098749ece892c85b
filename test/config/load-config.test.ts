import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig, parseListen } from '../../src/config/load-config.ts';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:4000', { kind: 'tcp', host: '127.0.0.1', port: 4000 }],
    [':4000', { kind: 'tcp', host: '0.0.0.0', port: 4000 }],
    ['[::1]:0', { kind: 'tcp', host: '::1', port: 0 }],
    ['unix:/run/interlink/plugin.sock', { kind: 'unix', path: '/run/interlink/plugin.sock' }],
    ['unix:///run/interlink/plugin.sock', { kind: 'unix', path: '/run/interlink/plugin.sock' }],
  ])('%s', (value, want) => {
    expect(parseListen(value)).toEqual(want);
  });

  it.each(['4000', 'localhost', 'host:99999', 'unix:relative.sock'])(
    'refuses %s with a sentence saying what is expected',
    (value) => {
      expect(() => parseListen(value)).toThrow(ConfigError);
    },
  );
});

describe('loadConfig', () => {
  it('has defaults that need no setting', () => {
    const c = loadConfig([], {});
    expect(c.listen).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4000 });
    expect(c.podCapacity).toBe(110);
    expect(c.podNetworks).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('limits each pod to 4096 pids unless told otherwise; -1 lifts the limit and 0 is refused', () => {
    expect(loadConfig([], {}).podPidsLimit).toBe(4096);
    expect(loadConfig(['--pod-pids-limit', '512'], {}).podPidsLimit).toBe(512);
    expect(loadConfig([], { PLUGIN_POD_PIDS_LIMIT: '-1' }).podPidsLimit).toBeUndefined();
    expect(() => loadConfig([], { PLUGIN_POD_PIDS_LIMIT: '0' })).toThrow(/use -1 for no limit/);
    expect(() => loadConfig([], { PLUGIN_POD_PIDS_LIMIT: '-2' })).toThrow(ConfigError);
  });

  it('sends taints in the ping only when they are configured', () => {
    expect(loadConfig([], {}).taints).toBeUndefined();
    expect(loadConfig([], { PLUGIN_TAINTS: ' , ' }).taints).toBeUndefined();
    expect(loadConfig(['--taints', 'gpu=true:NoSchedule'], { PLUGIN_TAINTS: 'x:NoExecute' }).taints).toEqual([
      { key: 'gpu', value: 'true', effect: 'NoSchedule' },
    ]);
  });
  it('takes the environment, and a flag over it', () => {
    const env = { PLUGIN_LISTEN: 'unix:/tmp/a.sock', PLUGIN_POD_CAPACITY: '7', PLUGIN_SOCKET_MODE: '0600' };
    expect(loadConfig([], env)).toMatchObject({
      listen: { kind: 'unix', path: '/tmp/a.sock' },
      podCapacity: 7,
      socketMode: 0o600,
    });
    expect(loadConfig(['--listen', '127.0.0.1:9'], env).listen).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 9,
    });
  });
  it('reads the GPU settings: toolkit mode and nvidia-smi’s GPUs by default', () => {
    expect(loadConfig([], {})).toMatchObject({ gpuMode: 'toolkit', gpuDevices: [] });
    const uuid = 'GPU-8f6c2a1e-1b2c-4d5e-8f90-0123456789ab';
    expect(loadConfig(['--gpu-mode', 'env'], { PLUGIN_GPU_DEVICES: ` 0, ${uuid} ,` })).toMatchObject({
      gpuMode: 'env',
      gpuDevices: ['0', uuid],
    });
  });
  it('reads the pod networks as a comma-separated list', () => {
    expect(loadConfig(['--pod-networks', 'pods-a, pods-b'], {}).podNetworks).toEqual(['pods-a', 'pods-b']);
  });
  it.each([
    [['--pod-capacity', 'many'], {}, /PLUGIN_POD_CAPACITY.*"many"/],
    [[], { PLUGIN_SOCKET_MODE: '999' }, /PLUGIN_SOCKET_MODE.*octal/],
    [
      [],
      { PLUGIN_POD_SECURITY_LEVEL: 'strict' },
      /PLUGIN_POD_SECURITY_LEVEL.*"strict" is not privileged, baseline or restricted/,
    ],
    [[], { PLUGIN_ALLOWED_HOST_PATHS: 'data' }, /PLUGIN_ALLOWED_HOST_PATHS.*absolute/],
    [['--no-such-flag'], {}, /known flags/],
    [[], { PLUGIN_GPU_MODE: 'cuda' }, /PLUGIN_GPU_MODE.*toolkit, runtime or env/],
    [['--gpu-devices', '0,gpu0'], {}, /PLUGIN_GPU_DEVICES.*"gpu0" is neither a GPU index/],
    [[], { PLUGIN_GPU_DEVICES: '1,0,1' }, /PLUGIN_GPU_DEVICES.*"1" is listed twice/],
    [[], { PLUGIN_POD_NETWORKS: 'a,host' }, /PLUGIN_POD_NETWORKS.*"host"/],
    [[], { PLUGIN_POD_NETWORKS: 'a, a' }, /PLUGIN_POD_NETWORKS.*twice/],
    [['--network-helper-timeout', '0'], {}, /PLUGIN_NETWORK_HELPER_TIMEOUT.*"0"/],
    [['--pod-capacity', '0'], {}, /PLUGIN_POD_CAPACITY.*whole number >= 1/],
    [[], { PLUGIN_TAINTS: 'gpu=true' }, /PLUGIN_TAINTS \(--taints\): gpu=true has no effect/],
  ])('names the bad setting: %j %j', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
});

describe('the Pod Security level', () => {
  it('is baseline unless the operator says otherwise', () => {
    expect(loadConfig([], {}).podSecurityLevel).toBe('baseline');
    expect(loadConfig(['--pod-security-level', 'privileged'], {}).podSecurityLevel).toBe('privileged');
    expect(loadConfig([], { PLUGIN_POD_SECURITY_LEVEL: 'restricted' }).podSecurityLevel).toBe('restricted');
  });

  it.each([
    [
      ['--allow-privileged', 'true'],
      {},
      /^--allow-privileged was removed: PLUGIN_POD_SECURITY_LEVEL \(--pod-security-level/,
    ],
    [['--allow-privileged=false'], {}, /^--allow-privileged was removed/],
    [
      [],
      { PLUGIN_ALLOW_PRIVILEGED: 'false' },
      /^PLUGIN_ALLOW_PRIVILEGED was removed: PLUGIN_POD_SECURITY_LEVEL/,
    ],
    [
      [],
      { PLUGIN_ALLOW_ADDED_CAPABILITIES: 'true' },
      /^PLUGIN_ALLOW_ADDED_CAPABILITIES was removed: .*restricted only NET_BIND_SERVICE/,
    ],
    [['--allow-added-capabilities', 'false'], {}, /^--allow-added-capabilities was removed/],
  ])('refuses the removed setting %j %j, naming what replaces it', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
});

describe('a listener a pod or the network could reach', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.1', '172.17.0.1', 'plugin.example.org', '128.0.0.1'])(
    '%s is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it.each([
    [
      ['--listen', '0.0.0.0:4000'],
      /PLUGIN_LISTEN \(--listen\): 0.0.0.0:4000 is not a loopback address and PLUGIN_AUTH_TOKEN \(--auth-token\) is empty: anyone who reaches that address could create pods on this host/,
    ],
    [['--listen', ':4000'], /0.0.0.0:4000 is not a loopback address/],
    [
      ['--metrics-listen', '0.0.0.0:9090'],
      /PLUGIN_METRICS_LISTEN \(--metrics-listen\): 0.0.0.0:9090 is not a loopback address and PLUGIN_METRICS_TOKEN \(--metrics-token\) is empty: anyone who reaches it reads the names of the pods/,
    ],
    [['--metrics-listen', '0.0.0.0:9090', '--auth-token', 't'], /PLUGIN_METRICS_TOKEN/],
  ])('refuses to start on %j without a token', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(message);
  });

  it('starts on any address with a token, and on loopback or a socket without one', () => {
    expect(loadConfig(['--listen', '0.0.0.0:4000', '--auth-token', 't'], {}).authToken).toBe('t');
    expect(loadConfig(['--metrics-listen', '0.0.0.0:9090', '--metrics-token', 'm'], {}).metricsToken).toBe(
      'm',
    );
    expect(
      loadConfig(['--listen', '127.0.0.1:4000', '--metrics-listen', '127.0.0.1:9090'], {}).authToken,
    ).toBeUndefined();
    expect(loadConfig(['--listen', 'unix:/run/p.sock'], {}).listen.kind).toBe('unix');
  });
});
