/**
 * A pod as the Kubernetes API server stores it (defaults filled in, in the API server's key order),
 * completed the way the Virtual Kubelet completes it before it hands the pod to interLink: the
 * `kubernetes` service env on every container and the kube-api-access service-account volume.
 */
import { randomUUID } from 'node:crypto';
import type {
  Container,
  EnvVar,
  Pod,
  PodSecurityContext,
  PodSpec,
  Volume,
  VolumeMount,
} from '../contract/api-types.ts';
import { DEFAULT_TOLERATIONS } from '../contract/interlink-wire.ts';
import { effectivePullPolicy } from '../pod/pull-policy.ts';
import { k8sTime, managedFields, nextResourceVersion, randomSuffix } from './cluster-objects.ts';

/** The image of a container that names none: the one the tests and the conformance kit make locally. */
export const DEFAULT_IMAGE = 'busybox:1.36';
export const NODE_NAME = 'vk-node';
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the Virtual Kubelet adds to every container (the `kubernetes` service), in the order it sends them. */
export const VK_SERVICE_ENV: readonly EnvVar[] = Object.freeze([
  { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
  { name: 'KUBERNETES_SERVICE_PORT', value: '443' },
  { name: 'KUBERNETES_SERVICE_PORT_HTTPS', value: '443' },
  { name: 'KUBERNETES_PORT', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP_PROTO', value: 'tcp' },
  { name: 'KUBERNETES_PORT_443_TCP_PORT', value: '443' },
  { name: 'KUBERNETES_PORT_443_TCP_ADDR', value: '10.96.0.1' },
]);

/** Fields real pods carry that the contract does not list; the plugin must accept and ignore them. */
export type WirePodSpec = PodSpec & {
  serviceAccount?: string;
  schedulerName?: string;
  preemptionPolicy?: string;
};

/** A container as a caller writes it: the image defaults to DEFAULT_IMAGE. */
export type ContainerInput = Omit<Container, 'image'> & { image?: string };

export interface PodOptions {
  name?: string;
  /** Used when `name` is not given: the name is this plus 5 random letters, as the API server does. */
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default: one container `greeter` that echoes a line, like hello-create.json. */
  containers?: ContainerInput[];
  initContainers?: ContainerInput[];
  volumes?: Volume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  /** false: no kube-api-access volume and no service-account mount, as the API server does. */
  automountServiceAccountToken?: boolean;
  securityContext?: PodSecurityContext;
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  shareProcessNamespace?: boolean;
  enableServiceLinks?: boolean;
  /** Default true: append VK_SERVICE_ENV to every container, as the Virtual Kubelet does on create. */
  vkEnv?: boolean;
  /** Merged into spec last, for fields this builder has no option for. */
  spec?: Partial<WirePodSpec>;
  podIP?: string;
  hostIP?: string;
}

/** Go drops empty strings (omitempty): an empty env value arrives as an entry without `value`. */
function wireEnv(env: readonly EnvVar[]): EnvVar[] {
  return env.map(({ value, ...rest }) => (value === undefined || value === '' ? rest : { ...rest, value }));
}

/** Fills in what the API server defaults, in the API server's key order. */
function completeContainer(input: ContainerInput, extraMounts: VolumeMount[], vkEnv: boolean): Container {
  const {
    name,
    image = DEFAULT_IMAGE,
    command,
    args,
    workingDir,
    ports,
    envFrom,
    env,
    resources,
    volumeMounts,
    ...rest
  } = input;
  const container: Container = { name, image };
  if (command) container.command = command;
  if (args) container.args = args;
  if (workingDir) container.workingDir = workingDir;
  if (ports) container.ports = ports.map((p) => ({ protocol: 'TCP', ...p }));
  if (envFrom) container.envFrom = envFrom;
  const fullEnv = [...(env ?? []), ...(vkEnv ? VK_SERVICE_ENV : [])];
  if (fullEnv.length > 0) container.env = wireEnv(fullEnv);
  container.resources = resources ?? {};
  const mounts = [...(volumeMounts ?? []), ...extraMounts];
  if (mounts.length > 0) container.volumeMounts = mounts;
  return {
    ...container,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: effectivePullPolicy({ image }),
    ...rest,
  };
}

function serviceAccountVolume(name: string): Volume {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 420,
    },
  };
}

function waitingStatus(c: Container): Record<string, unknown> {
  return {
    name: c.name,
    state: {
      waiting: {
        reason: 'Remote pod submitted',
        message: 'The pod has been submitted to the remote plugin for creation',
      },
    },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: c.image,
    imageID: '',
  };
}

/** A pod condition as the kubelet writes it, without probe or transition times. */
export const podCondition = (type: string, status: 'True' | 'False') => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: null,
});

/** As the API server names a pod from generateName: cut to leave room for 5 random letters in 63. */
function podName(opts: PodOptions): string {
  if (opts.name !== undefined) return opts.name;
  if (opts.generateName !== undefined) return `${opts.generateName.slice(0, 58)}${randomSuffix(5)}`;
  return `test-${randomSuffix(5)}-${randomUUID().slice(0, 8)}`;
}

/** A full v1.Pod as the Kubernetes API server stores it and the Virtual Kubelet holds it. */
export function buildPod(opts: PodOptions = {}): Pod {
  const created = k8sTime();
  const automount = opts.automountServiceAccountToken !== false;
  const vkEnv = opts.vkEnv !== false;
  const saVolumeName = `kube-api-access-${randomSuffix(5)}`;
  const saMount: VolumeMount[] = automount
    ? [{ name: saVolumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]
    : [];

  const inputs = opts.containers ?? [
    { name: 'greeter', image: DEFAULT_IMAGE, command: ['echo'], args: ['hello from example'] },
  ];
  const containers = inputs.map((c) => completeContainer(c, saMount, vkEnv));
  const initContainers = (opts.initContainers ?? []).map((c) => completeContainer(c, saMount, vkEnv));
  const volumes = [...(opts.volumes ?? []), ...(automount ? [serviceAccountVolume(saVolumeName)] : [])];
  const optional = <K extends keyof PodOptions>(key: K) =>
    opts[key] !== undefined ? { [key]: opts[key] } : {};

  const spec: WirePodSpec = {
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    restartPolicy: opts.restartPolicy ?? 'Never',
    terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds ?? 30,
    ...optional('activeDeadlineSeconds'),
    dnsPolicy: 'ClusterFirst',
    nodeSelector: { 'kubernetes.io/hostname': NODE_NAME },
    serviceAccountName: 'default',
    serviceAccount: 'default',
    ...optional('automountServiceAccountToken'),
    nodeName: NODE_NAME,
    ...optional('hostNetwork'),
    ...optional('shareProcessNamespace'),
    securityContext: opts.securityContext ?? {},
    ...optional('hostname'),
    ...optional('subdomain'),
    schedulerName: 'default-scheduler',
    tolerations: DEFAULT_TOLERATIONS.map((t) => ({ ...t })),
    priority: 0,
    enableServiceLinks: opts.enableServiceLinks ?? true,
    preemptionPolicy: 'PreemptLowerPriority',
    ...opts.spec,
  };

  const containerFields = (cs: ContainerInput[]) =>
    Object.fromEntries(cs.map((c) => [`k:{"name":"${c.name}"}`, { '.': {}, 'f:image': {}, 'f:name': {} }]));
  const specFields = {
    'f:containers': containerFields(inputs),
    ...(opts.initContainers?.length ? { 'f:initContainers': containerFields(opts.initContainers) } : {}),
    'f:restartPolicy': {},
  };

  return {
    metadata: {
      name: podName(opts),
      ...(opts.name === undefined ? optional('generateName') : {}),
      namespace: opts.namespace ?? 'default',
      uid: opts.uid ?? randomUUID(),
      resourceVersion: nextResourceVersion(),
      creationTimestamp: created,
      ...(opts.labels ? { labels: { ...opts.labels } } : {}),
      ...(opts.annotations ? { annotations: { ...opts.annotations } } : {}),
      managedFields: managedFields({ 'f:spec': specFields }, created),
    },
    spec,
    status: {
      phase: 'Pending',
      conditions: [
        podCondition('Initialized', 'True'),
        podCondition('Ready', 'False'),
        podCondition('PodScheduled', 'True'),
      ],
      hostIP: opts.hostIP ?? '127.0.0.1',
      podIP: opts.podIP ?? '127.0.0.1',
      startTime: created,
      ...(initContainers.length > 0 ? { initContainerStatuses: initContainers.map(waitingStatus) } : {}),
      containerStatuses: containers.map(waitingStatus),
    },
  };
}
