/** {{number n}} — grouped digits in the zh-CN style ("12,345"). */
export function number(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString('zh-CN') : '';
}
