// Evidence files for manual entries (docs/security.md 17): the type is decided by the bytes, not by the name or
// the browser's claim, and only documents and images are accepted. They are served as downloads only.

export interface EvidenceType {
  contentType: string;
  extension: string;
}

const starts = (buf: Buffer, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

export function sniffEvidence(buf: Buffer): EvidenceType | undefined {
  if (buf.length < 8) return undefined;
  if (starts(buf, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { contentType: 'application/pdf', extension: 'pdf' }; // %PDF-
  if (starts(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { contentType: 'image/png', extension: 'png' };
  if (starts(buf, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', extension: 'jpg' };
  if (starts(buf, [0x50, 0x4b, 0x03, 0x04])) {
    // An Office Open XML package names its main part in the first entries.
    const head = buf.subarray(0, Math.min(buf.length, 64 * 1024)).toString('latin1');
    if (head.includes('word/')) return { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' };
    if (head.includes('xl/')) return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' };
    return undefined;
  }
  return undefined;
}
