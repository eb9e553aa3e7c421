/** {{join list "、"}} — an array as text. */
export function join(list: unknown, separator: unknown): string {
  if (!Array.isArray(list)) return '';
  return list.filter((x) => x !== null && x !== undefined && x !== '').join(typeof separator === 'string' ? separator : '、');
}
