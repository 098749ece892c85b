/**
 * Named points where a crash-consistency test may have the plugin die (SIGKILL, as a power cut or
 * the OOM killer would). Each point is published on a diagnostics channel; only a test harness
 * subscribes (test/helpers/crash-entry.ts, preloaded with --import), so in production a point
 * costs one check for subscribers and there is no setting that could arm it.
 */
import { channel } from 'node:diagnostics_channel';

/** The channel a harness subscribes to; each message is a point's name, e.g. "create:sandbox". */
export const CRASH_POINT_CHANNEL = 'interlink-docker-plugin:crash-point';

const points = channel(CRASH_POINT_CHANNEL);

/** Tells a subscribed harness that this point is reached; it may kill the process on the spot. */
export function crashPoint(point: string): void {
  if (points.hasSubscribers) points.publish(point);
}
