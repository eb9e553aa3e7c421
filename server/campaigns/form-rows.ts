// Repeated rows in a form without JavaScript: fields named "slots.0.kind", "slots.0.ref" … (or "stops.N.x").
// Blank rows are skipped on the way in; the messages for item k of the parsed list are put back on the row
// it came from, so each appears next to its own field.
export type Row = Record<string, string> & { index: string };

/** A posted field as trimmed text ('' when it is absent or not text). */
export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The rows a form posted, in index order (at most `max`). */
export function postedRows(body: Record<string, unknown>, list: string, fields: readonly string[], max: number): Row[] {
  const pattern = new RegExp(`^${list}\\.(\\d{1,3})\\.(${fields.join('|')})$`);
  const rows = new Map<number, Row>();
  for (const [key, value] of Object.entries(body)) {
    const m = pattern.exec(key);
    if (!m || Number(m[1]) >= max) continue;
    const index = Number(m[1]);
    const row = rows.get(index) ?? ({ index: String(index) } as Row);
    row[m[2]!] = str(value);
    rows.set(index, row);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

export const isBlank = (row: Row, fields: readonly string[]) => fields.every((f) => !row[f]);

/** Error keys of parsed item k ("slots.k.x") → the posted row's index. */
export function remapErrors(fields: Record<string, string>, list: string, rowOf: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = new RegExp(`^${list}\\.(\\d+)\\.`);
  for (const [key, message] of Object.entries(fields)) {
    out[key.replace(pattern, (_, k: string) => `${list}.${rowOf[Number(k)] ?? k}.`)] = message;
  }
  return out;
}

/** Rows to draw: the given ones and blank ones after them (numbered on), each with its own messages. */
export function formRows(list: string, rows: Record<string, string>[], errors: Record<string, string>, opts: { spare: number; min: number; max: number }) {
  const count = Math.min(opts.max, Math.max(opts.min, rows.length + opts.spare));
  let next = Math.max(-1, ...rows.map((r, i) => Number(r.index ?? i))) + 1;
  return Array.from({ length: Math.max(count, rows.length) }, (_, i) => {
    const values = rows[i] ?? {};
    const index = rows[i] ? String(rows[i]!.index ?? i) : String(next++);
    const prefix = `${list}.${index}.`;
    const rowErrors: Record<string, string> = {};
    for (const [key, message] of Object.entries(errors)) if (key.startsWith(prefix)) rowErrors[key.slice(prefix.length)] = message;
    return { index, n: i + 1, prefix, values, errors: rowErrors };
  });
}
