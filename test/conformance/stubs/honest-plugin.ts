/** The fake with no flaw: correct enough for the simple scenarios, to show the kit can pass a plugin. */
import { startFakePlugin } from './fake-plugin.ts';

export const startHonestPlugin = () => startFakePlugin();
