/** {{safeUrl link}} — the link when it is http:, https: or mailto:, else "#" (no javascript: or data: links). */
export function safeUrl(value: unknown): string {
  if (typeof value !== 'string') return '#';
  try {
    const url = new URL(value.trim());
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : '#';
  } catch {
    return '#';
  }
}
