/**
 * Whether a request's Accept-Encoding takes gzip (RFC 9110 section 12.5.3): `gzip` or `*` with a
 * weight above 0. Prometheus asks for gzip on every scrape.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  let star = false;
  for (const part of value.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weighted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return weighted;
    if (coding === '*') star = weighted;
  }
  return star;
}
