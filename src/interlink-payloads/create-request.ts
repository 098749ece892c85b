/** The POST /create body: the pod wrapped the way the interLink API server wraps it (Go RetrievedPodData). */
import type { Container, Pod, RetrievedContainer, RetrievedPodData } from '../contract/api-types.ts';
import { ZERO_JOB_CONFIG } from '../contract/interlink-wire.ts';
import { offloadedPart } from '../pod/partial-offload.ts';
import type { WireConfigMap, WireSecret } from './cluster-objects.ts';
import {
  downwardApiAsProjected,
  fakeCaCertificate,
  fakeServiceAccountToken,
  renderProjectedVolume,
} from './projected-volumes.ts';

export interface CreateObjects {
  /** ConfigMaps the pod's volumes may name, by metadata.name. */
  configMaps?: WireConfigMap[];
  /** Secrets the pod's volumes may name, by metadata.name (data base64). */
  secrets?: WireSecret[];
  /** Per container name: fields that replace what the builder computed for that entry. */
  perContainer?: Record<string, Partial<Omit<RetrievedContainer, 'name'>>>;
  /** The service-account token and CA to render; random JWT-like and PEM-like text by default. */
  serviceAccount?: { token?: string; caCrt?: string };
}

/**
 * One entry per init container, then per container, each with the objects its own volume mounts
 * use (once per mount, lists null when empty). downwardAPI volumes are rewritten into projected
 * ones in the pod spec, as the Virtual Kubelet does. Containers the pod's partial-offload
 * annotations keep in the cluster are left out (interLink 0.6.1); status and delete bodies keep them.
 */
export function buildCreateRequest(pod: Pod, objects: CreateObjects = {}): RetrievedPodData {
  const sent: Pod = structuredClone(offloadedPart(pod));
  const spec = sent.spec;
  if (!spec) throw new Error('buildCreateRequest: the pod has no spec');
  const sources = {
    configMaps: objects.configMaps,
    secrets: objects.secrets,
    serviceAccount: {
      token: objects.serviceAccount?.token ?? fakeServiceAccountToken(pod),
      caCrt: objects.serviceAccount?.caCrt ?? fakeCaCertificate(),
    },
  };

  const volumes = spec.volumes ?? [];
  const projected = new Map<string, WireConfigMap>();
  for (const v of volumes) {
    if (v.projected || v.downwardAPI) projected.set(v.name, renderProjectedVolume(sent, v, sources));
  }
  spec.volumes = volumes.length > 0 ? volumes.map(downwardApiAsProjected) : spec.volumes;

  const entry = (c: Container): RetrievedContainer => {
    const configMaps: WireConfigMap[] = [];
    const secrets: WireSecret[] = [];
    const projectedMaps: WireConfigMap[] = [];
    for (const mount of c.volumeMounts ?? []) {
      const v = volumes.find((vol) => vol.name === mount.name);
      if (!v) continue;
      if (v.configMap) {
        const cm = objects.configMaps?.find((o) => o.metadata?.name === v.configMap?.name);
        if (cm) configMaps.push(cm);
      } else if (v.secret) {
        const s = objects.secrets?.find((o) => o.metadata?.name === v.secret?.secretName);
        if (s) secrets.push(s);
      } else if (projected.has(v.name)) {
        projectedMaps.push(projected.get(v.name) as WireConfigMap);
      }
    }
    return {
      name: c.name,
      configMaps: configMaps.length > 0 ? configMaps : null,
      projectedvolumemaps: projectedMaps.length > 0 ? projectedMaps : null,
      secrets: secrets.length > 0 ? secrets : null,
      emptyDirs: null,
      ...objects.perContainer?.[c.name],
    };
  };

  return {
    pod: sent,
    container: [...(spec.initContainers ?? []), ...spec.containers].map(entry),
    jobConfig: structuredClone(ZERO_JOB_CONFIG),
  };
}
