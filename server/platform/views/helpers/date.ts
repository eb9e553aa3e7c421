import { DateTime } from 'luxon';
import { ZONE } from '../../time.ts';

// Placing an instant in Asia/Shanghai costs luxon an Intl formatToParts call and a few objects: 11 % of a
// contract list's CPU time under load. The answer depends only on the instant and the format, and pages show
// the same records' dates over and over, so answers are kept (the oldest dropped past MEMO_MAX).
const MEMO_MAX = 20_000;
const memo = new Map<string, string>();

/** {{date d}} → "2026-11-26" in Asia/Shanghai; {{date d "yyyy年M月d日"}} with a luxon format. */
export function date(value: unknown, ...rest: unknown[]): string {
  const format = typeof rest[0] === 'string' ? rest[0] : 'yyyy-MM-dd';
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  const ms = d ? d.getTime() : Number.NaN;
  if (Number.isNaN(ms)) return '';
  const key = `${ms} ${format}`;
  let text = memo.get(key);
  if (text === undefined) {
    text = DateTime.fromMillis(ms, { zone: ZONE }).setLocale('zh-CN').toFormat(format);
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
    memo.set(key, text);
  }
  return text;
}
