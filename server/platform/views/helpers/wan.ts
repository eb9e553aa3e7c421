/**
 * {{wan amount}} — an integer amount in 元 shown in 万元 ("80 万元", "12.5 万元"); empty for missing values.
 * Money is stored in 元 and only converted here, at display.
 */
export function wan(amount: unknown): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const n = Number(amount);
  if (!Number.isFinite(n)) return '';
  const value = n / 10_000;
  const text = Number.isInteger(value) ? value.toLocaleString('zh-CN') : value.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
  return `${text} 万元`;
}
