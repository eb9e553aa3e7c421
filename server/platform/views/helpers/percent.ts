/** {{percent part whole}} → "42%"; "—" when the whole is zero or missing. */
export function percent(part: unknown, whole: unknown): string {
  const p = Number(part);
  const w = Number(whole);
  if (!Number.isFinite(p) || !Number.isFinite(w) || w === 0) return '—';
  return `${Math.round((p / w) * 100)}%`;
}
