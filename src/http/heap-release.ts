/**
 * After a large body, V8 keeps the heap it grew to until a full collection, which it may put off
 * for minutes while the plugin idles: the RSS of one hostile burst would stay. One full
 * collection a second after the last large body gives the memory back.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const DELAY_MS = 1000;

/** V8's gc(), exposed at run time so that every way of starting the plugin has it. */
const collect = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

let timer: NodeJS.Timeout | undefined;

/** Asks for one full collection soon; calls meanwhile push it back. */
export function releaseHeapSoon(): void {
  if (!collect) return;
  clearTimeout(timer);
  timer = setTimeout(collect, DELAY_MS);
  timer.unref();
}
