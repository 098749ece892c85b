/**
 * interLink's ping: GET /status with `[]`, which the VK turns into the virtual node's readiness, size and
 * taints. As interLink 0.6 reads it (Go PingResponse), every field is optional, an omitted one leaves the
 * node's value alone, a "0" drains the node, `accelerators[].available` must be a string (anything else
 * makes the VK drop the whole answer), and `taints`, even [], replaces every non-system taint of the node.
 */
import { fail, show } from '../checks.ts';
import { parseJson } from '../response-validator.ts';
import type { Scenario } from '../scenario.ts';

/** A Kubernetes quantity that is a positive amount ("4", "250m", "8Gi", "1e3"). */
const QUANTITY = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function positiveQuantity(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = QUANTITY.exec(value.trim());
  return match !== null && Number.parseFloat(match[1] as string) > 0;
}

/** The VK stores the answer verbatim in a node annotation: a ping answer has no business being large. */
const MAX_PING_BYTES = 4096;

interface Ping {
  resources?: {
    cpu?: unknown;
    memory?: unknown;
    pods?: unknown;
    accelerators?: Array<{ resourceType?: unknown; available?: unknown }>;
  };
  taints?: Array<{ key: string; value?: string; effect: string }>;
}

const taintText = (t: { key: string; value?: string; effect: string }) =>
  `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

export const pingScenarios: Scenario[] = [
  {
    id: 'ping',
    group: 'ping',
    first: true,
    checks:
      "GET /status with body [] (interLink's ping) answers 200 with [] or a valid PingResponse of at most " +
      '4 KiB: each of cpu, memory and pods, when present, a positive quantity (a zero drains the node); each ' +
      'accelerator available a positive integer as a string; taints only when the plugin is configured with ' +
      'them (--taints), and then exactly those.',
    async run(ctx) {
      ctx.setStep('GET /status with [] (the ping)');
      const answer = await ctx.wire.send('GET', '/status', '[]');
      if (answer.status !== 200) {
        fail(
          `expected GET /status with [] (interLink's ping) to answer 200, got ${answer.status}: ${show(answer.text)}`,
        );
      }
      const body = parseJson(answer.call, answer);
      if (Array.isArray(body)) {
        ctx.wire.contract.expectSchema('PodStatus[]', body, 'ping response');
        if (body.length > 0)
          fail(`expected the ping to answer [] or a PingResponse, got ${body.length} PodStatus entries`);
        ctx.note('ping answered [] (the VK keeps its configured node capacity)');
        return;
      }
      ctx.wire.contract.expectSchema('PingResponse', body, 'ping response');
      const size = Buffer.byteLength(answer.text);
      if (size > MAX_PING_BYTES)
        fail(
          `expected a ping answer of at most ${MAX_PING_BYTES} bytes (the VK stores it in a node annotation), got ${size}`,
        );
      const { resources = {}, taints } = body as Ping;
      const bad = (['cpu', 'memory', 'pods'] as const).filter(
        (k) => k in resources && !positiveQuantity(resources[k]),
      );
      if (bad.length > 0) {
        fail(
          `expected PingResponse resources ${bad.join(', ')} to be positive Kubernetes quantities or left out, got ` +
            `${bad.map((k) => `${k} ${show(resources[k])}`).join(', ')} (a zero drains the virtual node; leave out what is not known)`,
        );
      }
      for (const [i, a] of (resources.accelerators ?? []).entries()) {
        if (typeof a.available !== 'string')
          fail(
            `expected resources.accelerators[${i}].available to be a string such as "4", got ${show(a.available)}: ` +
              "Go's type is string, and any other type makes the VK drop the whole ping answer (capacity and taints)",
          );
        if (!/^[1-9]\d*$/.test(a.available))
          fail(
            `expected resources.accelerators[${i}].available to be a positive whole number, got ${show(a.available)}`,
          );
      }
      const configured = ctx.settings.taints;
      if (!configured && taints !== undefined) {
        fail(
          `expected no taints in the ping answer (none configured; pass --taints if the plugin has some), got ${show(taints)}: ` +
            "taints, even [], replace every non-system taint of the virtual node, the operator's own included",
        );
      }
      if (configured) {
        const want = configured.map(taintText).sort();
        const got = (taints ?? []).map(taintText).sort();
        if (taints === undefined || JSON.stringify(want) !== JSON.stringify(got))
          fail(
            `expected the ping to carry exactly the configured taints ${show(want)}, got ${show(taints === undefined ? 'none' : got)}`,
          );
      }
      ctx.note(
        `ping: ${['cpu', 'memory', 'pods'].map((k) => `${k} ${String(resources[k as 'cpu'] ?? '(left out)')}`).join(', ')}` +
          `${taints ? `, taints ${taints.map(taintText).join(',')}` : ''}`,
      );
    },
  },
];
