import { describe, expect, it } from 'vitest';
import type { Container, Pod, PodSecurityContext, SecurityContext } from '../../../src/contract/api-types.ts';
import { securityArgs as spell } from '../../../src/docker/translate/security-args.ts';
import { PluginError } from '../../../src/errors.ts';
import {
  decideSecurity,
  needsImageUser,
  nonRootViolation,
  requiresNonRoot,
  type SecurityPolicy,
} from '../../../src/pod/security-context.ts';

/** The decided securityContext as Docker gets it. */
const securityArgs = (pod: Pod, container: Container, policy: SecurityPolicy, field: string) =>
  spell(decideSecurity(pod, container, policy, field));

const FIELD = '/pod/spec/containers/0';
const OPEN: SecurityPolicy = {};

function make(
  podSc: PodSecurityContext | null,
  sc: SecurityContext | null,
): { pod: Pod; container: Container } {
  const container: Container = { name: 'app', image: 'busybox:1.36', securityContext: sc };
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
    spec: { containers: [container], securityContext: podSc },
  };
  return { pod, container };
}

describe('securityArgs', () => {
  // [behaviour, pod securityContext, container securityContext, args, policy]
  const rows: Array<[string, PodSecurityContext | null, SecurityContext | null, string[], SecurityPolicy?]> =
    [
      ['adds nothing without a securityContext', null, null, []],
      ['runs as runAsUser', null, { runAsUser: 1000 }, ['--user', '1000']],
      ['runs as runAsUser:runAsGroup', null, { runAsUser: 1000, runAsGroup: 3000 }, ['--user', '1000:3000']],
      ['takes the pod runAsUser', { runAsUser: 1000, runAsGroup: 3000 }, null, ['--user', '1000:3000']],
      [
        'lets the container override the pod',
        { runAsUser: 1000, runAsGroup: 3000 },
        { runAsUser: 0 },
        ['--user', '0:3000'],
      ],
      [
        "keeps the image's user for runAsGroup alone",
        null,
        { runAsGroup: 3000 },
        ['--user', 'app:3000'],
        { ...OPEN, imageUser: 'app:app' },
      ],
      [
        'uses root for runAsGroup alone when the image has no USER',
        null,
        { runAsGroup: 3000 },
        ['--user', '0:3000'],
        { ...OPEN, imageUser: '' },
      ],
      [
        'adds supplementalGroups and fsGroup once each',
        { supplementalGroups: [100, 200], fsGroup: 200 },
        null,
        ['--group-add', '100', '--group-add', '200'],
      ],
      ['makes the root filesystem read-only', null, { readOnlyRootFilesystem: true }, ['--read-only']],
      [
        'runs privileged (the node’s Pod Security level admitted it)',
        null,
        { privileged: true },
        ['--privileged'],
      ],
      ['ignores privileged: false', null, { privileged: false }, []],
      [
        'adds and drops capabilities, stripping CAP_',
        null,
        { capabilities: { add: ['CAP_NET_ADMIN', 'sys_time'], drop: ['ALL'] } },
        ['--cap-add', 'NET_ADMIN', '--cap-add', 'SYS_TIME', '--cap-drop', 'ALL'],
      ],
      ['drops capabilities', null, { capabilities: { drop: ['CAP_CHOWN'] } }, ['--cap-drop', 'CHOWN']],
      [
        'sets no-new-privileges for allowPrivilegeEscalation: false',
        null,
        { allowPrivilegeEscalation: false },
        ['--security-opt', 'no-new-privileges'],
      ],
      ['leaves allowPrivilegeEscalation: true alone', null, { allowPrivilegeEscalation: true }, []],
      [
        'passes sysctls',
        { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
        null,
        ['--sysctl', 'net.ipv4.ip_unprivileged_port_start=0'],
      ],
      [
        'runs unconfined when seccompProfile asks for it',
        null,
        { seccompProfile: { type: 'Unconfined' } } as SecurityContext,
        ['--security-opt', 'seccomp=unconfined'],
      ],
      [
        "keeps Docker's profile for RuntimeDefault",
        { seccompProfile: { type: 'RuntimeDefault' } } as PodSecurityContext,
        null,
        [],
      ],
    ];
  it.each(rows)('%s', (_name, podSc, sc, want, policy = OPEN) => {
    const { pod, container } = make(podSc, sc);
    expect(securityArgs(pod, container, policy, FIELD)).toEqual(want);
  });

  // [behaviour, pod securityContext, container securityContext, policy, field, problem]
  const refused: Array<
    [string, PodSecurityContext | null, SecurityContext | null, SecurityPolicy, string, RegExp]
  > = [
    [
      'a capability name that is not one',
      null,
      { capabilities: { drop: ['NET ADMIN'] } },
      OPEN,
      `${FIELD}/securityContext/capabilities/drop/0`,
      /not a capability name/,
    ],
    [
      'a negative runAsUser',
      null,
      { runAsUser: -1 },
      OPEN,
      `${FIELD}/securityContext/runAsUser`,
      /whole number/,
    ],
    [
      'a negative pod runAsGroup',
      { runAsUser: 1, runAsGroup: -5 },
      null,
      OPEN,
      '/pod/spec/securityContext/runAsGroup',
      /whole number/,
    ],
    [
      'a bad supplemental group',
      { supplementalGroups: [1.5] },
      null,
      OPEN,
      '/pod/spec/securityContext/supplementalGroups/0',
      /whole number/,
    ],
    [
      'a Localhost seccomp profile',
      { seccompProfile: { type: 'Localhost' } } as PodSecurityContext,
      null,
      OPEN,
      '/pod/spec/securityContext/seccompProfile/type',
      /not supported/,
    ],
  ];
  it.each(refused)('refuses %s with a 422 naming the field', (_name, podSc, sc, policy, field, problem) => {
    const { pod, container } = make(podSc, sc);
    let caught: unknown;
    try {
      securityArgs(pod, container, policy, FIELD);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PluginError);
    expect((caught as PluginError).kind).toBe('invalid');
    expect((caught as PluginError).details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });

  it("fails loudly when runAsGroup alone comes without the image's user", () => {
    const { pod, container } = make(null, { runAsGroup: 3000 });
    expect(needsImageUser(pod, container)).toBe(true);
    expect(() => securityArgs(pod, container, OPEN, FIELD)).toThrow(/policy\.imageUser/);
  });
});

describe('runAsNonRoot', () => {
  // [behaviour, pod securityContext, container securityContext, image USER, violation]
  const rows: Array<[string, PodSecurityContext | null, SecurityContext | null, string, RegExp | undefined]> =
    [
      ['does not apply without runAsNonRoot', null, null, '', undefined],
      ['accepts a non-zero runAsUser', { runAsNonRoot: true }, { runAsUser: 1000 }, '', undefined],
      [
        'refuses runAsUser 0',
        { runAsNonRoot: true, runAsUser: 0 },
        null,
        '1000',
        /container's runAsUser breaks non-root policy/,
      ],
      ['refuses an image without USER', null, { runAsNonRoot: true }, '', /image will run as root/],
      ['refuses an image running as uid 0', null, { runAsNonRoot: true }, '0:0', /image will run as root/],
      ['accepts an image with a numeric non-root USER', null, { runAsNonRoot: true }, '1000:1000', undefined],
      [
        'refuses a named image USER it cannot verify',
        null,
        { runAsNonRoot: true },
        'nginx',
        /non-numeric user \(nginx\)/,
      ],
      ['lets the container turn it off', { runAsNonRoot: true }, { runAsNonRoot: false }, '', undefined],
    ];
  it.each(rows)('%s', (_name, podSc, sc, imageUser, violation) => {
    const { pod, container } = make(podSc, sc);
    expect(requiresNonRoot(pod, container)).toBe((sc?.runAsNonRoot ?? podSc?.runAsNonRoot) === true);
    const message = nonRootViolation(pod, container, imageUser);
    if (violation === undefined) expect(message).toBeUndefined();
    else expect(message).toMatch(violation);
  });

  it('names the pod and container the way the kubelet does', () => {
    const { pod, container } = make({ runAsNonRoot: true }, null);
    expect(nonRootViolation(pod, container, '')).toBe(
      'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)',
    );
  });
});
