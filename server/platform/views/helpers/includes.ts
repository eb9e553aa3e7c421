/** {{#if (includes list value)}} — for checked checkboxes and selected options. */
export function includes(list: unknown, value: unknown): boolean {
  if (Array.isArray(list)) return list.map(String).includes(String(value));
  if (typeof list === 'string') return list.split(',').includes(String(value));
  return false;
}
