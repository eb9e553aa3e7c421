/** {{concat "至少 " n " 个字符"}} — joins its arguments into one string. */
export function concat(...args: unknown[]): string {
  return args.slice(0, -1).map((a) => (a === undefined || a === null ? '' : String(a))).join('');
}
