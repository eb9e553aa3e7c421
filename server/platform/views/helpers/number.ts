const grouped = new Intl.NumberFormat('zh-CN');

/** {{number n}} — grouped digits in the zh-CN style ("12,345"). */
export function number(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? grouped.format(n) : '';
}
