// Spreadsheets in and out: .xlsx through exceljs, .csv through csv-parse/csv-stringify. Uploads are judged
// by their content, not their name (docs/security.md, "Uploads"): an .xlsx must be a zip that passes the checks
// in xlsx.ts, a .csv must decode as text (UTF-8, UTF-16 with its byte-order mark, or GB18030 as Chinese Excel
// writes it). Exports neutralise cells that a spreadsheet would run as formulas; imports undo exactly that.
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { BadRequest } from '../errors.ts';
import { inspectXlsx, xlsxRows } from './xlsx.ts';
import { yielder } from './yielder.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MAX_ROWS = 20_000;

export interface Table {
  headers: string[];
  /** Cell text by header, one per data row; `line` is the spreadsheet row number (header = 1). */
  rows: { line: number; cells: Record<string, string> }[];
}

export type TableFormat = 'xlsx' | 'csv';

const BOM_UTF16LE = Buffer.from([0xff, 0xfe]);
const BOM_UTF16BE = Buffer.from([0xfe, 0xff]);

export function detectFormat(buffer: Buffer): TableFormat {
  if (buffer.length >= 4 && buffer.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  // UTF-16 text (Excel's "Unicode text" and some exporters) starts with a byte-order mark and is full of NULs.
  if (buffer.subarray(0, 2).equals(BOM_UTF16LE) || buffer.subarray(0, 2).equals(BOM_UTF16BE)) return 'csv';
  const head = buffer.subarray(0, 4096);
  // Binary files (images, PDFs, executables, old .xls) carry NUL bytes or control characters early on.
  if (head.some((byte) => byte === 0 || (byte >= 0x01 && byte <= 0x08) || (byte >= 0x0e && byte <= 0x1a))) {
    throw new BadRequest('文件格式无法识别：请上传 Excel（.xlsx）或 CSV 文件。旧版 .xls 请先另存为 .xlsx。');
  }
  return 'csv';
}

function decodeText(buffer: Buffer): string {
  if (buffer.subarray(0, 2).equals(BOM_UTF16LE)) return new TextDecoder('utf-16le').decode(buffer.subarray(2));
  if (buffer.subarray(0, 2).equals(BOM_UTF16BE)) return new TextDecoder('utf-16be').decode(buffer.subarray(2));
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
    return '';
  }
  return String(value);
}

/** Our exports put a ' before = + - @ so spreadsheets show such text rather than run it; take it off again. */
export const unneutralise = (cell: string): string => (/^'[=+\-@]/.test(cell) ? cell.slice(1) : cell);

/** Collects rows into a table: the first row is the header; blank rows are skipped, keeping line numbers. */
class TableBuilder {
  headers: string[] | undefined;
  readonly rows: Table['rows'] = [];

  add(line: number, cells: string[]): void {
    if (!this.headers) {
      if (line !== 1 || !cells.some((h) => h.trim())) throw new BadRequest('文件第一行应为表头（列名）。');
      this.headers = cells.map((h) => h.trim());
      return;
    }
    if (!cells.some((c) => c.trim())) return;
    if (this.rows.length >= MAX_ROWS) throw new BadRequest(`一次最多导入 ${MAX_ROWS} 行，请拆分后导入。`);
    const record: Record<string, string> = {};
    this.headers.forEach((h, j) => {
      if (h) record[h] = unneutralise((cells[j] ?? '').trim());
    });
    this.rows.push({ line, cells: record });
  }

  table(): Table {
    if (!this.headers) throw new BadRequest('文件第一行应为表头（列名）。');
    return { headers: this.headers, rows: this.rows };
  }
}

/**
 * Reads an uploaded spreadsheet row by row (docs/security.md, "Uploads"): an .xlsx is inspected before it is
 * inflated (xlsx.ts), both formats stop at MAX_ROWS, and the event loop gets a turn every 10 ms of work.
 */
export async function readTable(buffer: Buffer): Promise<Table> {
  if (buffer.length === 0) throw new BadRequest('上传的文件是空的。');
  if (buffer.length > MAX_UPLOAD_BYTES) throw new BadRequest('文件超过 5 MB，请拆分后导入。');
  const table = new TableBuilder();
  const pause = yielder();
  if (detectFormat(buffer) === 'csv') {
    const parser = Readable.from([decodeText(buffer)]).pipe(parseCsv({ relax_column_count: true, skip_empty_lines: false }));
    let line = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        table.add(++line, record);
        await pause();
      }
    } catch (err) {
      parser.destroy();
      if (err instanceof BadRequest) throw err;
      throw new BadRequest(`CSV 文件无法解析：${(err as Error).message}`);
    }
    return table.table();
  }
  await inspectXlsx(buffer, MAX_ROWS);
  try {
    for await (const row of xlsxRows(buffer)) {
      const cells: string[] = [];
      for (let c = 1; c < row.values.length; c++) cells.push(cellText(row.values[c] ?? null));
      table.add(row.number, cells);
      await pause();
    }
  } catch (err) {
    if (err instanceof BadRequest) throw err;
    throw new BadRequest('Excel 文件无法读取：请确认是 .xlsx 格式且未加密。');
  }
  return table.table();
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
