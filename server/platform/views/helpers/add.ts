/** {{add a b}} — numeric sum, for "第 {{add index 1}} 位" and page arithmetic. */
export function add(a: unknown, b: unknown): number {
  return Number(a) + Number(b);
}
