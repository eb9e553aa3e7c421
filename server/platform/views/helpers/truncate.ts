/** {{truncate text 120}} — at most n characters (code points), with an ellipsis when cut. */
export function truncate(value: unknown, n: unknown): string {
  const chars = Array.from(typeof value === 'string' ? value : '');
  const max = typeof n === 'number' ? n : 120;
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
