/**
 * interLink's tunnel client commands (wstunnel since 0.6, rathole in 0.7.0-pre2, ssh in PR #529):
 * the plugin runs the annotation's command where the pod's network is (the SLURM plugin at the top
 * of the job script, a container plugin in the pod's network namespace), and never says its value
 * back: the commands carry key material. The kit's command needs only bash: it sends a token to the
 * pod's own 127.0.0.1, where the pod's container listens and prints it, so the container's log shows
 * the command ran in the pod's network; a secret beside it must never come back in a status or a log.
 */
import { randomBytes } from 'node:crypto';
import { fail, show } from '../checks.ts';
import type { Scenario } from '../scenario.ts';

const PORT = 7777;
const WAIT_SECONDS = 50;
const LISTEN = `timeout ${WAIT_SECONDS} nc -l -p ${PORT} || { echo "nothing reached 127.0.0.1:${PORT} within ${WAIT_SECONDS} s"; exit 1; }`;

const TUNNELS = [
  ['wstunnel', 'interlink.eu/wstunnel-client-commands', '0.6'],
  ['rathole', 'interlink.eu/rathole-client-commands', '0.7.0-pre2'],
  ['ssh', 'interlink.eu/ssh-client-commands', 'PR #529'],
] as const;

export const tunnelScenarios: Scenario[] = TUNNELS.map(([kind, annotation, since]) => ({
  id: `tunnel-${kind}-command`,
  group: 'tunnels',
  checks:
    `A pod whose ${annotation} (interLink ${since}) holds a bash command that, like a tunnel client, ` +
    `keeps a key (a distinctive secret) and reaches the pod's 127.0.0.1:${PORT}, where its container ` +
    'listens and prints what it gets: the container prints the token and the pod Succeeds (the command ran ' +
    "in the pod's network); the secret is in no status answer, no log, and not in " +
    'interlink.eu/wstunnel-extra-ports either.',
  async run(ctx) {
    const token = `tunnel-ran-${randomBytes(6).toString('hex')}`;
    const secret = `KitTunnelKey${randomBytes(12).toString('hex')}`;
    const command =
      `TUNNEL_KEY=${secret}; ` +
      `(for i in {1..120}; do (echo ${token} > /dev/tcp/127.0.0.1/${PORT}) 2>/dev/null && break; sleep 1; done) &`;
    const pod = ctx.pod({
      name: `tunnel-${kind}`,
      restartPolicy: 'Never',
      annotations: { [annotation]: command, 'interlink.eu/wstunnel-extra-ports': `9999:${secret}` },
      containers: [{ name: 'main', command: ['sh', '-c', LISTEN] }],
    });
    await pod.create();
    const seen = { 'a status answer': JSON.stringify(await pod.waitFor()) };
    const logs = await pod.logs('main');
    Object.assign(seen, { 'the logs of container "main"': logs });
    // Named, never quoted: the report must not carry the secret either.
    for (const [where, text] of Object.entries(seen))
      if (text.includes(secret)) fail(`the secret planted in ${annotation} came back in ${where}`);
    if (logs.trim() !== token)
      fail(
        `expected the command of ${annotation} to reach 127.0.0.1:${PORT} in the pod's network, so that ` +
          `container "main" prints ${show(token)}, got logs ${show(logs)}`,
      );
    pod.expect({ phase: 'Succeeded', containers: { main: { exitCode: 0 } } });
    await pod.delete();
  },
}));
