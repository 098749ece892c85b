/** Throws GET bodies away, as many HTTP frameworks do: every GET /status looks like interLink's ping. */
import { startFakePlugin } from './fake-plugin.ts';

export const startDropsGetBodiesPlugin = () => startFakePlugin({ dropGetBodies: true });
