/**
 * The pod a request is about, read from its body (parsed, maybe invalid) for trace attributes
 * named as interLink's plugins name them: pod.name, pod.namespace, pod.uid. A body that names
 * several pods gives their values joined with commas; a body that names none gives nothing.
 */
type Meta = { name?: unknown; namespace?: unknown; uid?: unknown };

function metaOf(item: unknown): Meta | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  // /create: {pod: {metadata}}; /delete and /status: {metadata}; /getLogs: LogStruct.
  if (o.pod && typeof o.pod === 'object') return metaOf(o.pod);
  if (o.metadata && typeof o.metadata === 'object') return o.metadata as Meta;
  if ('PodUID' in o || 'PodName' in o) return { name: o.PodName, namespace: o.Namespace, uid: o.PodUID };
  return undefined;
}

export function podAttributes(body: unknown): Record<string, string> {
  const metas = (Array.isArray(body) ? body : [body]).map(metaOf).filter((m) => m !== undefined);
  const attributes: Record<string, string> = {};
  for (const key of ['name', 'namespace', 'uid'] as const) {
    const values = metas.map((m) => m[key]).filter((v): v is string => typeof v === 'string' && v !== '');
    if (values.length > 0) attributes[`pod.${key}`] = values.join(',');
  }
  return attributes;
}
