/** Reports the containers partial offload keeps in the cluster as gone, as this plugin did before 0.6 support. */
import { startFakePlugin } from './fake-plugin.ts';

export const startClusterContainersGonePlugin = () => startFakePlugin({ reportClusterContainersGone: true });
