/** interLink's ping: GET /status with `[]`, which the VK turns into the virtual node's readiness and size. */
import { fail, show } from '../checks.ts';
import { parseJson } from '../response-validator.ts';
import type { Scenario } from '../scenario.ts';

/** A Kubernetes quantity that is a positive amount ("4", "250m", "8Gi", "1e3"). */
const QUANTITY = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function positiveQuantity(value: string): boolean {
  const match = QUANTITY.exec(value.trim());
  return match !== null && Number.parseFloat(match[1] as string) > 0;
}

export const pingScenarios: Scenario[] = [
  {
    id: 'ping',
    group: 'ping',
    first: true,
    checks:
      "GET /status with body [] (interLink's ping) answers 200 with [] or a valid PingResponse whose cpu, " +
      'memory and pods are positive quantities (zero capacity would drain the virtual node).',
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
      const { resources } = body as { resources: { cpu: string; memory: string; pods: string } };
      const zero = (['cpu', 'memory', 'pods'] as const).filter((k) => !positiveQuantity(resources[k]));
      if (zero.length > 0) {
        fail(
          `expected PingResponse resources ${zero.join(', ')} to be positive Kubernetes quantities, got ` +
            `${zero.map((k) => `${k} ${show(resources[k])}`).join(', ')} (the VK would size the node from them)`,
        );
      }
      ctx.note(`ping: cpu ${resources.cpu}, memory ${resources.memory}, pods ${resources.pods}`);
    },
  },
];
