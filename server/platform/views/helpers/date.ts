import { DateTime } from 'luxon';
import { ZONE } from '../../time.ts';

/** {{date d}} → "2026-11-26" in Asia/Shanghai; {{date d "yyyy年M月d日"}} with a luxon format. */
export function date(value: unknown, ...rest: unknown[]): string {
  const format = typeof rest[0] === 'string' ? rest[0] : 'yyyy-MM-dd';
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) return '';
  return DateTime.fromJSDate(d, { zone: ZONE }).setLocale('zh-CN').toFormat(format);
}
