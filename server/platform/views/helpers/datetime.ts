import { date } from './date.ts';

/** {{datetime d}} → "2026-11-26 14:30" in Asia/Shanghai. */
export function datetime(value: unknown): string {
  return date(value, 'yyyy-MM-dd HH:mm');
}
