/** What runs in the container: entrypoint, command/args, $(VAR) expansion, quoting and empty env values. */
import { runToEnd, sh } from '../run-to-end.ts';
import type { Scenario } from '../scenario.ts';

/** Strings a shell, a template or an env file would mangle; they must reach the process untouched. */
export const TRICKY_VALUES: readonly string[] = [
  `it's "double" and 'single'`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax the plugin must pass on untouched
  'dollar $HOME ${PATH} $(id) and a backtick `uname` here',
  'back\\slash \\n not a newline \\\\ two',
  'line one\nline two\n\ttabbed line',
  'unicode: ünïcødé ☃ 日本語 🚀',
  'glob * ? [a] ~ ; & | > < # %s %%',
  '',
  '  spaces  around  ',
];

export const commandScenarios: Scenario[] = [
  {
    id: 'default-entrypoint',
    group: 'command',
    checks:
      "No command and no args: the image's own CMD runs. For busybox that is `sh`, which must exit 0 at once " +
      'because stdin is not attached (no -i, no TTY): the VK phase ends Succeeded with empty logs.',
    async run(ctx) {
      await runToEnd(
        ctx,
        { name: 'default-entrypoint', containers: [{ name: 'main' }] },
        { phase: 'Succeeded', containers: { main: { exitCode: 0 } }, logs: { main: '' } },
      );
    },
  },
  {
    id: 'command-args',
    group: 'command',
    checks:
      "Kubernetes' rules: command alone replaces the entrypoint and drops the image CMD; args alone replace " +
      'the CMD (busybox has no ENTRYPOINT, so args run as the command); command and args together run as one ' +
      'argv, with $0/$1 as given.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'command-args',
          containers: [
            { name: 'command-only', command: ['echo', 'command-only'] },
            { name: 'args-only', args: ['echo', 'args-only'] },
            { name: 'both', command: ['sh', '-c'], args: ['echo "$0|$1|$#"', 'zero', 'one'] },
          ],
        },
        {
          phase: 'Succeeded',
          containers: {
            'command-only': { exitCode: 0 },
            'args-only': { exitCode: 0 },
            both: { exitCode: 0 },
          },
          logs: { 'command-only': 'command-only\n', 'args-only': 'args-only\n', both: 'zero|one|1\n' },
        },
      );
    },
  },
  {
    id: 'args-var-expansion',
    group: 'command',
    checks:
      'As the kubelet does, $(VAR) in command and args expands from the container env, $$(VAR) is a literal ' +
      '$(VAR), and a reference to an undefined variable stays as written.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'args-var-expansion',
          containers: [
            {
              name: 'main',
              env: [{ name: 'GREETING', value: 'hi' }],
              command: ['echo'],
              args: ['$(GREETING)', '$$(GREETING)', '$(UNDEFINED_VAR)', 'x$(GREETING)y'],
            },
          ],
        },
        {
          phase: 'Succeeded',
          containers: { main: { exitCode: 0 } },
          logs: { main: 'hi $(GREETING) $(UNDEFINED_VAR) xhiy\n' },
        },
      );
    },
  },
  {
    id: 'quoting',
    group: 'command',
    checks:
      'An env value and args holding quotes, newlines, $, backticks, backslashes, globs, unicode, an empty ' +
      'string and edge spaces reach the process byte for byte (no shell, no template on the way): the logs ' +
      'print them back exactly.',
    async run(ctx) {
      const tricky = TRICKY_VALUES.join('|');
      const script = 'printf "env=[%s]\\n" "$TRICKY"; for a in "$@"; do printf "arg=[%s]\\n" "$a"; done';
      const want = `env=[${tricky}]\n${TRICKY_VALUES.map((v) => `arg=[${v}]\n`).join('')}`;
      await runToEnd(
        ctx,
        {
          name: 'quoting',
          containers: [
            {
              name: 'main',
              env: [{ name: 'TRICKY', value: tricky }],
              command: ['sh', '-c', script, 'sh'],
              args: [...TRICKY_VALUES],
            },
          ],
        },
        { phase: 'Succeeded', containers: { main: { exitCode: 0 } }, logs: { main: want } },
      );
    },
  },
  {
    id: 'env-empty-value',
    group: 'command',
    checks:
      'An env entry with no `value` key (how Go sends an empty value) sets the variable to the empty string; ' +
      'it is not left unset.',
    async run(ctx) {
      await runToEnd(
        ctx,
        {
          name: 'env-empty-value',
          containers: [
            {
              name: 'main',
              env: [{ name: 'EMPTY_VALUE' }],
              command: sh(
                // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
                'if [ "${EMPTY_VALUE+set}" = set ]; then printf "EMPTY_VALUE=[%s]\\n" "$EMPTY_VALUE"; ' +
                  'else echo EMPTY_VALUE-is-unset; fi',
              ),
            },
          ],
        },
        { phase: 'Succeeded', containers: { main: { exitCode: 0 } }, logs: { main: 'EMPTY_VALUE=[]\n' } },
      );
    },
  },
];
