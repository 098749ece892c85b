/** Every scenario of the kit, in the order they run and are listed. */
import type { Scenario } from '../scenario.ts';
import { badInputScenarios } from './bad-input.ts';
import { commandScenarios } from './command.ts';
import { deleteRetryScenarios } from './delete-retries.ts';
import { envRefScenarios } from './env-refs.ts';
import { initContainerScenarios } from './init-containers.ts';
import { lifecycleScenarios } from './lifecycle.ts';
import { logScenarios } from './logs.ts';
import { partialOffloadScenarios } from './partial-offload.ts';
import { pingScenarios } from './ping.ts';
import { resourceScenarios } from './resources.ts';
import { statusScenarios } from './status.ts';
import { tunnelScenarios } from './tunnels.ts';
import { volumeScenarios } from './volumes.ts';

export const ALL_SCENARIOS: readonly Scenario[] = [
  ...pingScenarios,
  ...lifecycleScenarios,
  ...deleteRetryScenarios,
  ...statusScenarios,
  ...commandScenarios,
  ...initContainerScenarios,
  ...partialOffloadScenarios,
  ...volumeScenarios,
  ...envRefScenarios,
  ...resourceScenarios,
  ...logScenarios,
  ...tunnelScenarios,
  ...badInputScenarios,
];
