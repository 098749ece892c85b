/**
 * Request bodies shaped like the ones interLink sends a plugin (/work/shared/reference/examples): the
 * pod as the Kubernetes API server stores it, completed by the Virtual Kubelet (service env, Pending
 * status with waiting containers, the service-account projected volume) and wrapped in
 * RetrievedPodData with the configMaps, secrets and pre-rendered projected volumes of each container.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  ConfigMap,
  Container,
  EnvVar,
  LogOpts,
  LogStruct,
  Pod,
  RetrievedContainer,
  RetrievedPodData,
  Secret,
  Volume,
  VolumeMount,
} from '../contract/api-types.ts';
import { DEFAULT_TOLERATIONS, UNSET_LOG_OPTS, ZERO_JOB_CONFIG } from '../contract/interlink-wire.ts';

export const DEFAULT_IMAGE = 'busybox:1.36';
export const NODE_NAME = 'vk-node';
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Go's zero time: how interLink sends an unset `SinceTime`. */
export { GO_ZERO_TIME } from '../contract/interlink-wire.ts';

/** What the Virtual Kubelet adds to every container's env on create (the `kubernetes` service). */
export const VK_SERVICE_ENV: readonly EnvVar[] = [
  { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
  { name: 'KUBERNETES_SERVICE_PORT', value: '443' },
  { name: 'KUBERNETES_SERVICE_PORT_HTTPS', value: '443' },
  { name: 'KUBERNETES_PORT', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP', value: 'tcp://10.96.0.1:443' },
  { name: 'KUBERNETES_PORT_443_TCP_PROTO', value: 'tcp' },
  { name: 'KUBERNETES_PORT_443_TCP_PORT', value: '443' },
  { name: 'KUBERNETES_PORT_443_TCP_ADDR', value: '10.96.0.1' },
];

/** A container as a scenario writes it; the image defaults to the kit's image, then goes through --image-map. */
export type ContainerSpec = Omit<Container, 'image'> & { image?: string };

export interface PodSpecInput {
  /** Short name of the scenario; the pod name gets a random suffix. */
  name: string;
  namespace: string;
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: Volume[];
  /** ConfigMaps and Secrets as the cluster holds them; sent with each container that mounts them. */
  configMaps?: ConfigMap[];
  secrets?: Secret[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  terminationGracePeriodSeconds?: number;
  /** Rewrites an image reference (--image-map). */
  image: (ref: string) => string;
}

/** One pod of one scenario, in the shapes interLink sends it. */
export interface PodPayloads {
  uid: string;
  name: string;
  namespace: string;
  /** The pod as stored in the cluster: user env only, Pending status. */
  stored: Pod;
  /** POST /create body. */
  create: RetrievedPodData;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
let resourceVersion = 200_000 + Math.floor(Math.random() * 10_000);

/** RFC 3339 at second precision, as Kubernetes writes timestamps. */
export function k8sTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function suffix(length: number): string {
  return Array.from(randomBytes(length), (b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

/** Go omits empty strings: an env entry with an empty value arrives without `value`. */
function wireEnv(env: readonly EnvVar[]): EnvVar[] {
  return env.map(({ value, ...rest }) => (value === undefined || value === '' ? rest : { ...rest, value }));
}

function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const last = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function completeContainer(
  spec: ContainerSpec,
  image: (ref: string) => string,
  saMount: VolumeMount,
  vkEnv: boolean,
): Container {
  const { name, image: ref = DEFAULT_IMAGE, env, resources, volumeMounts, ...rest } = spec;
  const img = image(ref);
  const allEnv = [...(env ?? []), ...(vkEnv ? VK_SERVICE_ENV : [])];
  return {
    name,
    image: img,
    ...rest,
    ...(allEnv.length > 0 ? { env: wireEnv(allEnv) } : {}),
    resources: resources ?? {},
    volumeMounts: [...(volumeMounts ?? []), saMount],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: pullPolicy(img),
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

/** The service-account volume's files as the VK renders them into `projectedvolumemaps`. */
export function serviceAccountFiles(
  namespace: string,
  podName: string,
  podUid: string,
): Record<string, string> {
  const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = randomBytes(48 * 12).toString('base64');
  const pem = body.match(/.{1,64}/g)?.join('\n') ?? body;
  return {
    'ca.crt': `-----BEGIN CERTIFICATE-----\n${pem}\n-----END CERTIFICATE-----\n`,
    namespace,
    token: [
      b64url({ alg: 'RS256', kid: 'conformance' }),
      b64url({
        aud: ['https://kubernetes.default.svc.cluster.local'],
        iss: 'https://kubernetes.default.svc.cluster.local',
        'kubernetes.io': {
          namespace,
          pod: { name: podName, uid: podUid },
          serviceaccount: { name: 'default' },
        },
        sub: `system:serviceaccount:${namespace}:default`,
      }),
      randomBytes(64).toString('base64url'),
    ].join('.'),
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

function objectMeta(name: string, namespace: string, created: string): Record<string, unknown> {
  resourceVersion += 1;
  return {
    name,
    namespace,
    uid: randomUUID(),
    resourceVersion: String(resourceVersion),
    creationTimestamp: created,
  };
}

/** The per-container lists of RetrievedPodData: one entry per mount that uses an object, as the VK does. */
function retrievedContainer(
  c: Container,
  volumes: Volume[],
  configMaps: ConfigMap[],
  secrets: Secret[],
  projected: Map<string, ConfigMap>,
): RetrievedContainer {
  const cms: ConfigMap[] = [];
  const secs: Secret[] = [];
  const proj: ConfigMap[] = [];
  for (const mount of c.volumeMounts ?? []) {
    const volume = volumes.find((v) => v.name === mount.name);
    if (volume?.configMap) {
      const cm = configMaps.find((o) => o.metadata?.name === volume.configMap?.name);
      if (cm) cms.push(cm);
    } else if (volume?.secret) {
      const sec = secrets.find((o) => o.metadata?.name === volume.secret?.secretName);
      if (sec) secs.push(sec);
    } else if (volume?.projected) {
      const rendered = projected.get(volume.name);
      if (rendered) proj.push(rendered);
    }
  }
  return {
    name: c.name,
    configMaps: cms.length > 0 ? cms : null,
    projectedvolumemaps: proj.length > 0 ? proj : null,
    secrets: secs.length > 0 ? secs : null,
    emptyDirs: null,
  };
}

/** A ConfigMap as the cluster stores it. */
export function configMap(name: string, namespace: string, data: Record<string, string>): ConfigMap {
  return { metadata: objectMeta(name, namespace, k8sTime()) as ConfigMap['metadata'], data };
}

/** A Secret as the cluster stores it: `data` values base64, never `stringData`. */
export function secret(name: string, namespace: string, plain: Record<string, string>): Secret {
  const data = Object.fromEntries(
    Object.entries(plain).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return { metadata: objectMeta(name, namespace, k8sTime()) as Secret['metadata'], data, type: 'Opaque' };
}

/** Builds one scenario pod in every shape interLink sends it. */
export function buildPodPayloads(input: PodSpecInput): PodPayloads {
  const name = `conf-${input.name}-${suffix(5)}`.slice(0, 63);
  const uid = randomUUID();
  const created = k8sTime();
  const saVolume = `kube-api-access-${suffix(5)}`;
  const saMount: VolumeMount = { name: saVolume, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
  const volumes = [...(input.volumes ?? []), serviceAccountVolume(saVolume)];

  const build = (vkEnv: boolean) => ({
    inits: (input.initContainers ?? []).map((c) => completeContainer(c, input.image, saMount, vkEnv)),
    mains: input.containers.map((c) => completeContainer(c, input.image, saMount, vkEnv)),
  });
  const managedFields = [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: created,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:containers': Object.fromEntries(
            input.containers.map((c) => [`k:{"name":"${c.name}"}`, { '.': {}, 'f:image': {}, 'f:name': {} }]),
          ),
          'f:restartPolicy': {},
        },
      },
    },
  ];
  const pod = (containers: { inits: Container[]; mains: Container[] }): Pod => ({
    metadata: {
      name,
      namespace: input.namespace,
      uid,
      resourceVersion: String(++resourceVersion),
      creationTimestamp: created,
      ...(input.labels ? { labels: input.labels } : {}),
      ...(input.annotations ? { annotations: { ...input.annotations } } : {}),
      managedFields,
    },
    spec: {
      volumes,
      ...(containers.inits.length > 0 ? { initContainers: containers.inits } : {}),
      containers: containers.mains,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: input.terminationGracePeriodSeconds ?? 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'kubernetes.io/hostname': NODE_NAME },
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: NODE_NAME,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: DEFAULT_TOLERATIONS.map((t) => ({ ...t })),
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    } as Pod['spec'],
    status: {
      phase: 'Pending',
      conditions: [
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: null },
        { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: null },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: null },
      ],
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      startTime: created,
      ...(containers.inits.length > 0 ? { initContainerStatuses: containers.inits.map(waitingStatus) } : {}),
      containerStatuses: containers.mains.map(waitingStatus),
    } as Pod['status'],
  });

  const offloaded = build(true);
  const createPod = pod(offloaded);
  const projected = new Map<string, ConfigMap>([
    [
      saVolume,
      {
        metadata: { name: saVolume, creationTimestamp: null } as ConfigMap['metadata'],
        data: serviceAccountFiles(input.namespace, name, uid),
      },
    ],
  ]);
  const configMaps = input.configMaps ?? [];
  const secrets = input.secrets ?? [];
  return {
    uid,
    name,
    namespace: input.namespace,
    stored: pod(build(false)),
    create: {
      pod: createPod,
      container: [...offloaded.inits, ...offloaded.mains].map((c) =>
        retrievedContainer(c, volumes, configMaps, secrets, projected),
      ),
      jobConfig: ZERO_JOB_CONFIG,
    },
  };
}

/** The pod the VK sends in GET /status: as it holds it, with the JobID annotation and its current phase. */
export function statusRequestPod(payloads: PodPayloads, jobId: string | undefined, phase: string): Pod {
  const pod = structuredClone(payloads.create.pod);
  if (jobId !== undefined) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), JobID: jobId };
  if (pod.status) pod.status.phase = phase as NonNullable<Pod['status']>['phase'];
  return pod;
}

/** The pod the VK sends in POST /delete: as stored, with deletionTimestamp and the grace period. */
export function deleteRequestPod(payloads: PodPayloads, jobId: string | undefined): Pod {
  const pod = structuredClone(payloads.stored);
  if (jobId !== undefined) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), JobID: jobId };
  pod.metadata.deletionTimestamp = k8sTime();
  pod.metadata.deletionGracePeriodSeconds = pod.spec?.terminationGracePeriodSeconds ?? 30;
  return pod;
}

/** A GET /getLogs body with every option present, as interLink sends it. */
export function logRequest(payloads: PodPayloads, container: string, opts: Partial<LogOpts> = {}): LogStruct {
  return {
    Namespace: payloads.namespace,
    PodUID: payloads.uid,
    PodName: payloads.name,
    ContainerName: container,
    Opts: { ...UNSET_LOG_OPTS, ...opts },
  };
}
