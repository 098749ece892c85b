/** Short names for the generated contract types; everything here comes from generated/. */
import type { components } from '../../generated/plugin-api.ts';

type Schemas = components['schemas'];

export type Pod = Schemas['Pod'];
export type PodSpec = Schemas['PodSpec'];
export type ObjectMeta = Schemas['ObjectMeta'];
export type Container = Schemas['Container'];
export type EnvVar = Schemas['EnvVar'];
export type Volume = Schemas['Volume'];
export type VolumeMount = Schemas['VolumeMount'];
export type KeyToPath = Schemas['KeyToPath'];
export type ConfigMap = Schemas['ConfigMap'];
export type Secret = Schemas['Secret'];
export type SecurityContext = Schemas['SecurityContext'];
export type PodSecurityContext = Schemas['PodSecurityContext'];
export type ResourceRequirements = Schemas['ResourceRequirements'];
export type Quantity = Schemas['Quantity'];
export type RetrievedPodData = Schemas['RetrievedPodData'];
export type RetrievedContainer = Schemas['RetrievedContainer'];
export type CreateStruct = Schemas['CreateStruct'];
export type PodStatus = Schemas['PodStatus'];
export type ContainerStatus = Schemas['ContainerStatus'];
export type ContainerState = Schemas['ContainerState'];
export type PingResponse = Schemas['PingResponse'];
export type LogStruct = Schemas['LogStruct'];
export type LogOpts = Schemas['LogOpts'];
export type ErrorBody = Schemas['Error'];
export type Health = Schemas['Health'];
