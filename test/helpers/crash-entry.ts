/**
 * Preloaded into the plugin by crash-consistency tests only (`tsx --import <this> src/main.ts`):
 * SIGKILLs the process the n-th time it reaches the crash point CRASH_ENTRY_AT names
 * ("create:container#2"; n defaults to 1). The plugin itself has no setting for this.
 */
import { subscribe } from 'node:diagnostics_channel';
import { CRASH_POINT_CHANNEL } from '../../src/crash-points.ts';

const [point = '', nth = '1'] = (process.env.CRASH_ENTRY_AT ?? '').split('#');
let remaining = Math.max(1, Number(nth) || 1);

if (point) {
  subscribe(CRASH_POINT_CHANNEL, (reached) => {
    if (reached === point && --remaining === 0) process.kill(process.pid, 'SIGKILL');
  });
}
