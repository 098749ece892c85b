/**
 * What a pod under test needs of the scenario that drives it, kept apart from both so that the
 * scenario context can make pods without the pod module depending back on it.
 */
import type { ContainerInput, PodOptions, WireConfigMap, WireSecret } from '../interlink-payloads/index.ts';
import type { Taint } from '../pod/taints.ts';
import type { PluginWire } from './plugin-wire.ts';

/** The kit's settings a pod needs. */
export interface KitSettings {
  /** Rewrites an image reference (--image-map); identity by default. */
  image: (ref: string) => string;
  /** Namespace of every pod the kit sends. */
  namespace: string;
  /** Between two GET /status of a pod, as the VK's poll interval. */
  pollIntervalMs: number;
  /** The taints the plugin is configured with (--taints); without, its ping must carry none. */
  taints?: readonly Taint[];
}

/** What a pod needs of the scenario that drives it (the ScenarioContext). */
export interface PodScenario {
  readonly wire: PluginWire;
  readonly settings: KitSettings;
  setStep(step: string): void;
  observe(seen: string): void;
  note(text: string): void;
  sleep(ms: number): Promise<void>;
}

/** A scenario's pod: a short name (the pod name gets a random suffix), and the objects its volumes use. */
export type ScenarioPodInput = Omit<PodOptions, 'name' | 'generateName' | 'namespace' | 'containers'> & {
  name: string;
  containers: ContainerInput[];
  /** ConfigMaps and Secrets as the cluster holds them; sent with each container that mounts them. */
  configMaps?: WireConfigMap[];
  secrets?: WireSecret[];
};
