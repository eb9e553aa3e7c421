/** {{#if (eq a b)}} — strict equality, with numbers and their string forms treated alike. */
export function eq(a: unknown, b: unknown): boolean {
  return a === b || (a != null && b != null && String(a) === String(b));
}
