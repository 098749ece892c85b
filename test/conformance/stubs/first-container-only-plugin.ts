/** Runs and reports only the first container of a pod, as a naive single-container backend would. */
import { startFakePlugin } from './fake-plugin.ts';

export const startFirstContainerOnlyPlugin = () => startFakePlugin({ firstContainerOnly: true });
