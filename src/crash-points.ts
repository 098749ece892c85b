/**
 * Named points where a crash-consistency test may have the plugin die (SIGKILL, as a power cut or
 * the OOM killer would). Inert unless PLUGIN_TEST_CRASH_AT names a point: then the n-th time the
 * process reaches it ("create:container#2"; n defaults to 1), it kills itself on the spot.
 */
let armed: { point: string; remaining: number } | undefined;

/** Arms one crash point, e.g. "create:sandbox" or "create:container#2"; empty disarms. */
export function armCrashPoint(spec: string): void {
  if (!spec) {
    armed = undefined;
    return;
  }
  const [point = '', nth = '1'] = spec.split('#');
  armed = { point, remaining: Math.max(1, Number(nth) || 1) };
}

/** Dies here when this point is armed and its turn has come; does nothing otherwise. */
export function crashPoint(point: string): void {
  if (armed?.point !== point || --armed.remaining > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
