/** {{#if (not x)}} */
export function not(value: unknown): boolean {
  return !value || (Array.isArray(value) && value.length === 0);
}
