/**
 * {{urlWith "/search" query page=3}} — the path with the current query, some parameters replaced;
 * a parameter set to "" or null is dropped. Changing any filter returns to page 1 unless page is given.
 */
export function urlWith(path: unknown, query: unknown, options: { hash?: Record<string, unknown> }): string {
  const params = new URLSearchParams();
  const base = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const changes = options?.hash ?? {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && v !== null && v !== '' && !(k in changes)) params.set(k, String(v));
  }
  if (!('page' in changes)) params.delete('page');
  for (const [k, v] of Object.entries(changes)) {
    if (v !== undefined && v !== null && v !== '' && !(k === 'page' && String(v) === '1')) params.set(k, String(v));
  }
  const qs = params.toString();
  return `${String(path)}${qs ? `?${qs}` : ''}`;
}
