/**
 * The set-up an end-to-end file opens with: one plugin started before the file's tests, and after
 * them every plugin stopped and everything they made removed (stopAll).
 */
import { afterAll, beforeAll } from 'vitest';
import { type RunningPlugin, type StartOptions, startPlugin, stopAll } from './plugin-process.ts';

export interface PluginInUse extends RunningPlugin {
  /**
   * Starts the plugin again, with the same options, instance and state dir, after the test stopped
   * it: what a restarted plugin finds in Docker and on disk. The handle then stands for the new one.
   */
  startAgain(): Promise<void>;
}

/**
 * Starts a plugin in `beforeAll` and stops it in `afterAll`. The handle it returns stands for the
 * plugin once `beforeAll` has run, so tests use it as the plugin itself (`plugin.request(...)`).
 * Options may be a function, for values that only exist once an earlier `beforeAll` has run (a
 * second engine's socket).
 */
export function usePlugin(
  options: StartOptions | (() => StartOptions) = {},
  timeoutMs?: number,
): PluginInUse {
  const startOptions = () => (typeof options === 'function' ? options() : options);
  let running: RunningPlugin | undefined;
  beforeAll(async () => {
    running = await startPlugin(startOptions());
  }, timeoutMs);
  afterAll(stopAll);
  const startAgain = async () => {
    const { instance, stateDir } = running as RunningPlugin;
    running = await startPlugin({ ...startOptions(), instance, stateDir });
  };
  return new Proxy({} as PluginInUse, {
    get(_, key) {
      if (key === 'startAgain') return startAgain;
      if (running === undefined)
        throw new Error(`usePlugin: plugin.${String(key)} read before beforeAll started it`);
      const value = Reflect.get(running, key);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}
