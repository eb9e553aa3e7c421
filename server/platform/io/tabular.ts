// Spreadsheets in and out: .xlsx through exceljs, .csv through csv-parse/csv-stringify. Uploads are judged
// by their content, not their name (docs/security.md, "Uploads"): an .xlsx must be a zip that passes the checks
// in xlsx.ts, a .csv must decode as text (UTF-8, UTF-16 with its byte-order mark, or GB18030 as Chinese Excel
// writes it). Exports neutralise cells that a spreadsheet would run as formulas; imports undo exactly that.
// Exports stream (streamXlsx, streamCsv): rows come from an async iterable — a database cursor — and each is
// written as it comes, so an export of any size holds a few rows in memory, not the file (docs/decisions/exceljs.md).
import ExcelJS from 'exceljs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import { stringify as stringifyStream } from 'csv-stringify';
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

const CREATOR = '东宝区科技成果转化与人才对接平台';
const sheetColumns = (columns: Column[]) => columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
/** Numbers stay numbers (sums work in the sheet); everything else is neutralised text. */
const xlsxCells = (row: unknown[]) => row.map((v) => (typeof v === 'number' ? v : neutralise(v)));

/**
 * The whole workbook in memory, as one Buffer: only for files whose size is bounded (the rows an import rejected
 * are at most MAX_ROWS of one upload). Exports of a list stream instead (streamXlsx).
 */
export async function writeXlsx(sheetName: string, columns: Column[], rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = CREATOR;
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.columns = sheetColumns(columns);
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of rows) sheet.addRow(xlsxCells(row));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** CSV with a BOM, so Excel opens the Chinese text as UTF-8. */
export function writeCsv(columns: Column[], rows: unknown[][]): string {
  return '\uFEFF' + stringify([columns.map((c) => c.header), ...rows.map((r) => r.map(neutralise))]);
}

/** Rows for a streaming writer: an async iterable (a database cursor mapped to rows) or a plain one. */
export type RowSource = AsyncIterable<unknown[]> | Iterable<unknown[]>;

/**
 * Where a streaming writer's bytes go: `out` behind a PassThrough. Backpressure reaches the writer through the
 * pipe (it waits for 'drain'); a failure of `out` (an error, or a client that went away) stops the writer. On a
 * failure of its own the writer unpipes and leaves `out` open: the caller decides — an HTTP response not yet
 * begun can still answer with an error, one that has begun must be destroyed, never ended (an ended response
 * would look like a whole, shorter file).
 */
class Sink {
  readonly input = new PassThrough();
  /** settles (never rejects) once `out` has finished or failed; `failure` says which */
  readonly settled: Promise<void>;
  private failure: Error | undefined;
  /** wakes a writer waiting in ready() when `out` settles first */
  private wake: (() => void) | undefined;

  constructor(private readonly out: Writable) {
    this.input.pipe(out);
    this.settled = finished(out).then(
      () => this.wake?.(),
      (err: Error) => {
        this.failure ??= err;
        this.wake?.();
      },
    );
  }

  /** Throws when `out` has failed or closed early. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits until `stream` takes more (after a write it answered false to), or throws when `out` failed first. */
  async ready(stream: Writable): Promise<void> {
    this.check();
    if (!stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        this.wake = undefined;
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      this.wake = done;
    });
    this.check();
    if (stream.destroyed) throw new Error('the export stream was closed');
  }

  /** After a failure: stop feeding `out`, without ending it. */
  abandon(): void {
    this.input.unpipe(this.out);
    this.input.destroy();
  }
}

/**
 * Streams an .xlsx to `out` (an HTTP response, a file): exceljs's streaming writer, the same sheet as writeXlsx
 * (bold, frozen header row, column widths, formula-like text neutralised, numbers kept as numbers), each row
 * committed as it comes and the next one read only when `out` takes more. Resolves with the number of data rows
 * once `out` has finished; rejects if the rows fail or `out` fails — see Sink for what becomes of `out` then.
 */
export async function streamXlsx(out: Writable, sheetName: string, columns: Column[], rows: RowSource): Promise<number> {
  const sink = new Sink(out);
  // Inline strings, not shared ones: a shared-strings table would keep every distinct text until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink.input, useStyles: true, useSharedStrings: false });
  workbook.creator = CREATOR;
  let count = 0;
  try {
    const sheet = workbook.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = sheetColumns(columns);
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    const pause = yielder();
    for await (const row of rows) {
      sheet.addRow(xlsxCells(row)).commit();
      count++;
      await sink.ready(sink.input);
      await pause();
    }
    sheet.commit();
    // commit() waits for the zip to finish into the PassThrough; `out` may fail first (commit() then never settles).
    const committed = workbook.commit();
    committed.catch(() => {}); // its failure is `out`'s or the zip's, seen through sink.settled or thrown below
    await Promise.race([committed, sink.settled]);
    await sink.settled;
    sink.check();
  } catch (err) {
    sink.abandon();
    (workbook as unknown as { zip: { abort(): void } }).zip.abort();
    throw err;
  }
  return count;
}

/**
 * Streams a CSV (UTF-8 with a BOM, so Excel opens the Chinese text) to `out` through csv-stringify's stream API,
 * the same text as writeCsv, writing the next row only when `out` takes more. Resolves and rejects as streamXlsx.
 */
export async function streamCsv(out: Writable, columns: Column[], rows: RowSource): Promise<number> {
  const sink = new Sink(out);
  const csv = stringifyStream({ bom: true });
  csv.pipe(sink.input);
  let count = 0;
  try {
    csv.write(columns.map((c) => c.header));
    const pause = yielder();
    for await (const row of rows) {
      if (!csv.write(row.map(neutralise))) await sink.ready(csv);
      else sink.check();
      count++;
      await pause();
    }
    csv.end();
    await sink.settled;
    sink.check();
  } catch (err) {
    csv.unpipe(sink.input);
    csv.destroy();
    sink.abandon();
    throw err;
  }
  return count;
}

/**
 * A Writable that keeps what it is given, for a streamed file that is wanted whole as a Buffer: the file is held
 * once, compressed, while the rows still come one at a time (unlike writeXlsx, which also holds every cell).
 */
export function memorySink(): { out: Writable; body(): Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { out, body: () => Buffer.concat(chunks) };
}
