/**
 * The one author of what interLink sends a plugin: request bodies shaped exactly like the ones
 * interLink 0.6 sends, for the tests, the conformance kit and the benchmark. A wire fact learnt
 * tomorrow is fixed here, once.
 */
export {
  buildConfigMap,
  buildSecret,
  k8sTime,
  type WireConfigMap,
  type WireObjectMeta,
  type WireSecret,
} from './cluster-objects.ts';
export { buildCreateRequest, type CreateObjects } from './create-request.ts';
export { deleteRequest } from './delete-request.ts';
export { logsRequest } from './logs-request.ts';
export {
  buildPod,
  type ContainerInput,
  DEFAULT_IMAGE,
  NODE_NAME,
  type PodOptions,
  SERVICE_ACCOUNT_MOUNT_PATH,
  VK_SERVICE_ENV,
  type WirePodSpec,
} from './pod.ts';
export { statusRequest } from './status-request.ts';
