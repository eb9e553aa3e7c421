/** {{#if (and a b c)}} — true when every argument is truthy (the trailing Handlebars options object is ignored). */
export function and(...args: unknown[]): boolean {
  return args.slice(0, -1).every(Boolean);
}
