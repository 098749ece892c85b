import { expect, it } from 'vitest';
import { parseEvent } from '../../../src/docker/view/events-stream.ts';

const line = (action: string) =>
  JSON.stringify({ Action: action, Actor: { ID: 'c1', Attributes: { name: 'x' } }, time: 1, timeNano: 1e9 });

it.each([
  ['die', true],
  ['start', true],
  ['oom', true],
  ['exec_die', false],
  // A container an older plugin made with its image's HEALTHCHECK: a result every few ms.
  ['health_status: healthy', false],
  ['health_status: unhealthy', false],
])('reads a %s event: %s', (action, read) => {
  expect(parseEvent(line(action)) !== undefined).toBe(read);
});
