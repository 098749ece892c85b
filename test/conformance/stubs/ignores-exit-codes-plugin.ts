/** Reports every terminated container with exit code 0, whatever it exited with. */
import { startFakePlugin } from './fake-plugin.ts';

export const startIgnoresExitCodesPlugin = () => startFakePlugin({ ignoreExitCodes: true });
