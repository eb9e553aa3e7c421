// Reading an uploaded .xlsx without trusting it (docs/security.md, "Uploads"). An .xlsx is a zip of XML
// files; a small one can claim, or actually inflate to, gigabytes, and a sheet can hold far more rows than an
// import allows. So, before any XML is parsed:
//   1. the zip's directory is read (yauzl) and every entry's declared size is held to per-entry, total and
//      ratio limits — a file over them is refused with the reason, nothing inflated;
//   2. the entries must tile the file from its first byte to the directory (no data that a sequential reader
//      would see but the directory hides), and each is inflated once through yauzl, which stops an entry that
//      inflates past its declared size;
//   3. the first sheet's <dimension> (written by Excel, WPS and exceljs) refuses a sheet with too many rows.
// Then exceljs's streaming reader yields the rows one at a time; the caller counts them and gives the event
// loop a turn every few milliseconds, so a big import never freezes the site.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { BadRequest } from '../errors.ts';

export const ZIP_LIMITS = {
  entries: 2_000,
  entryBytes: 64 * 1024 * 1024,
  totalBytes: 128 * 1024 * 1024,
  /** inflated / compressed, for entries over 1 MiB inflated; text XML compresses 5–30×, bombs 1000× */
  ratio: 250,
};

const MiB = 1024 * 1024;
const mb = (n: number) => `${(n / MiB).toFixed(n < 10 * MiB ? 1 : 0)} MB`;
const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_DESCRIPTOR = 0x08074b50;

const readHeader = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<number>((resolve, reject) => zip.readLocalFileHeader(entry, { minimal: true }, (err, h) => (err ? reject(err) : resolve(h.fileDataStart))));

/** Where an entry's bytes end in the file, its data descriptor included. */
function entryEnd(buffer: Buffer, entry: yauzl.Entry, dataStart: number): number {
  let end = dataStart + entry.compressedSize;
  if (entry.generalPurposeBitFlag & 0x8) {
    const signed = end + 4 <= buffer.length && buffer.readUInt32LE(end) === SIG_DESCRIPTOR;
    end += (signed ? 4 : 0) + 12;
  }
  return end;
}

async function drain(stream: Readable, keep: number): Promise<Buffer> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size < keep) kept.push(chunk.subarray(0, keep - size));
    size += chunk.length;
  }
  return Buffer.concat(kept);
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The path of the workbook's first sheet, from workbook.xml and its relationships. */
function firstSheetPath(workbook: string, rels: string): string | undefined {
  const sheet = /<(?:\w+:)?sheet\s[^>]*>/.exec(workbook)?.[0];
  const rid = sheet && (attr(sheet, 'r:id') ?? attr(sheet, '\\w+:id'));
  for (const rel of rels.match(/<(?:\w+:)?Relationship\s[^>]*>/g) ?? []) {
    if (attr(rel, 'Id') !== rid) continue;
    const target = attr(rel, 'Target') ?? '';
    return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  }
  return undefined;
}

/** Rows the sheet says it spans (`<dimension ref="A1:H20001"/>`), if it says. */
function dimensionRows(head: string): number | undefined {
  const ref = /<(?:\w+:)?dimension\s+ref="([^"]+)"/.exec(head)?.[1];
  const last = ref?.split(':')[1] ?? ref;
  const row = last ? /\d+$/.exec(last)?.[0] : undefined;
  return row ? Number(row) : undefined;
}

/** Checks the zip as described above; throws BadRequest naming what is over the limit. */
export async function inspectXlsx(buffer: Buffer, maxRows: number): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw new BadRequest('Excel 文件无法读取：请确认是 .xlsx 格式且未损坏。');
  }
  if (zip.entryCount > ZIP_LIMITS.entries) throw new BadRequest(`Excel 文件内含 ${zip.entryCount} 个部件，超过上限 ${ZIP_LIMITS.entries}，不予读取。`);
  const entries: yauzl.Entry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch {
    throw new BadRequest('Excel 文件的目录已损坏，无法读取。');
  }
  for (const entry of entries) {
    const size = entry.uncompressedSize;
    total += size;
    if (entry.isEncrypted()) throw new BadRequest('Excel 文件已加密，请取消密码后再导入。');
    if (size > ZIP_LIMITS.entryBytes) throw new BadRequest(`Excel 文件中的“${entry.fileName}”解压后有 ${mb(size)}，超过单个部件 ${mb(ZIP_LIMITS.entryBytes)} 的上限，不予读取。`);
    if (size > MiB && size > ZIP_LIMITS.ratio * Math.max(1, entry.compressedSize)) {
      throw new BadRequest(`Excel 文件中的“${entry.fileName}”压缩比异常（${Math.round(size / Math.max(1, entry.compressedSize))} 倍），疑似压缩炸弹，不予读取。`);
    }
  }
  if (total > ZIP_LIMITS.totalBytes) throw new BadRequest(`Excel 文件解压后共 ${mb(total)}，超过 ${mb(ZIP_LIMITS.totalBytes)} 的上限，请拆分后导入。`);

  // The entries must tile the file up to the central directory.
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let cursor = 0;
  const bad = () => new BadRequest('Excel 文件结构异常（压缩包中有目录以外的数据），不予读取。请用 Excel 或 WPS 另存为 .xlsx 后再导入。');
  try {
    for (const entry of byOffset) {
      if (entry.relativeOffsetOfLocalHeader !== cursor || buffer.readUInt32LE(cursor) !== SIG_LOCAL) throw bad();
      cursor = entryEnd(buffer, entry, await readHeader(zip, entry));
    }
    if (cursor + 4 > buffer.length || (entries.length > 0 && buffer.readUInt32LE(cursor) !== SIG_CENTRAL)) throw bad();
  } catch (err) {
    throw err instanceof BadRequest ? err : bad();
  }

  // Inflate each entry once, keeping the heads of the few parts needed to find the first sheet's size.
  const heads = new Map<string, string>();
  for (const entry of entries) {
    if (entry.fileName.endsWith('/')) continue;
    const wanted = /^xl\/(workbook\.xml|_rels\/workbook\.xml\.rels|worksheets\/[^/]+\.xml)$/.test(entry.fileName);
    try {
      const head = await drain(await zip.openReadStreamPromise(entry), wanted ? (entry.fileName.includes('worksheets/') ? 4096 : MiB) : 0);
      if (wanted) heads.set(entry.fileName, head.toString('utf8'));
    } catch {
      throw new BadRequest(`Excel 文件中的“${entry.fileName}”已损坏或大小与声明不符，不予读取。`);
    }
  }
  const sheet = firstSheetPath(heads.get('xl/workbook.xml') ?? '', heads.get('xl/_rels/workbook.xml.rels') ?? '');
  const rows = sheet ? dimensionRows(heads.get(sheet) ?? '') : undefined;
  if (rows !== undefined && rows - 1 > maxRows) throw new BadRequest(`一次最多导入 ${maxRows} 行，本文件第一个工作表有 ${rows - 1} 行，请拆分后导入。`);
}

/** The first sheet's rows as cell values (index 1 = column A), with their row numbers. */
export async function* xlsxRows(buffer: Buffer): AsyncGenerator<{ number: number; values: ExcelJS.CellValue[] }> {
  const chunks = (function* () {
    for (let i = 0; i < buffer.length; i += 64 * 1024) yield buffer.subarray(i, i + 64 * 1024);
  })();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(chunks), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      yield { number: row.number, values: row.values as ExcelJS.CellValue[] };
    }
    return; // the first sheet only
  }
}
