/** After an init container fails, leaves the containers after it waiting: the VK then keeps the pod Pending. */
import { startFakePlugin } from './fake-plugin.ts';

export const startStuckAfterInitFailurePlugin = () => startFakePlugin({ leaveWaitingAfterInitFailure: true });
