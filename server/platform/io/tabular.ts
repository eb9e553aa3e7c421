// Spreadsheets in and out: .xlsx through exceljs, .csv through csv-parse/csv-stringify. Uploads are judged
// by their content, not their name (SECURITY.md 17): an .xlsx must be a zip, a .csv must decode as text
// (UTF-8, or GB18030 as Chinese Excel writes it). Exports neutralise cells that a spreadsheet would run
// as formulas.
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { BadRequest } from '../errors.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MAX_ROWS = 20_000;

export interface Table {
  headers: string[];
  /** Cell text by header, one per data row; `line` is the spreadsheet row number (header = 1). */
  rows: { line: number; cells: Record<string, string> }[];
}

export type TableFormat = 'xlsx' | 'csv';

export function detectFormat(buffer: Buffer): TableFormat {
  if (buffer.length >= 4 && buffer.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  const head = buffer.subarray(0, 4096);
  // Binary files (images, PDFs, executables, old .xls) carry NUL bytes or control characters early on.
  if (head.some((byte) => byte === 0 || (byte >= 0x01 && byte <= 0x08) || (byte >= 0x0e && byte <= 0x1a))) {
    throw new BadRequest('文件格式无法识别：请上传 Excel（.xlsx）或 CSV 文件。旧版 .xls 请先另存为 .xlsx。');
  }
  return 'csv';
}

function decodeText(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(buffer);
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}

function toTable(matrix: string[][], firstLine: number): Table {
  const [headerRow, ...body] = matrix;
  if (!headerRow?.some((h) => h.trim())) throw new BadRequest('文件第一行应为表头（列名）。');
  const headers = headerRow.map((h) => h.trim());
  const rows: Table['rows'] = [];
  body.forEach((cells, i) => {
    if (!cells.some((c) => c.trim())) return; // blank rows are skipped, keeping line numbers right
    const record: Record<string, string> = {};
    headers.forEach((h, j) => {
      if (h) record[h] = (cells[j] ?? '').trim();
    });
    rows.push({ line: firstLine + 1 + i, cells: record });
  });
  if (rows.length > MAX_ROWS) throw new BadRequest(`一次最多导入 ${MAX_ROWS} 行，本文件有 ${rows.length} 行，请拆分后导入。`);
  return { headers, rows };
}

export async function readTable(buffer: Buffer): Promise<Table> {
  if (buffer.length === 0) throw new BadRequest('上传的文件是空的。');
  if (buffer.length > MAX_UPLOAD_BYTES) throw new BadRequest('文件超过 5 MB，请拆分后导入。');
  if (detectFormat(buffer) === 'csv') {
    let records: string[][];
    try {
      records = parseCsv(decodeText(buffer), { relax_column_count: true, skip_empty_lines: false }) as string[][];
    } catch (err) {
      throw new BadRequest(`CSV 文件无法解析：${(err as Error).message}`);
    }
    return toTable(records, 1);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new BadRequest('Excel 文件无法读取：请确认是 .xlsx 格式且未加密。');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new BadRequest('Excel 文件中没有工作表。');
  const matrix: string[][] = [];
  // One row past the limit is enough for toTable to say the file is too long.
  const lastRow = Math.min(sheet.rowCount, MAX_ROWS + 2);
  for (let r = 1; r <= lastRow; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    matrix.push(cells);
  }
  return toTable(matrix, 1);
}

export interface Column {
  header: string;
  width?: number;
}

/** Cells starting with = + - @ (or a tab/CR) would run as formulas in a spreadsheet: make them text. */
export function neutralise(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export async function writeXlsx(sheetName: string, columns: Column[], rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '东宝区科技成果转化与人才对接平台';
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of rows) sheet.addRow(row.map((v) => (typeof v === 'number' ? v : neutralise(v))));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** CSV with a BOM, so Excel opens the Chinese text as UTF-8. */
export function writeCsv(columns: Column[], rows: unknown[][]): string {
  return '\uFEFF' + stringify([columns.map((c) => c.header), ...rows.map((r) => r.map(neutralise))]);
}
