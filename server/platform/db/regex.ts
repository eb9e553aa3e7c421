/** User text as a literal inside a regular expression (FerretDB's RE2 and MongoDB's PCRE alike). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
