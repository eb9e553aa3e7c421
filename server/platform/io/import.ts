// The import pipeline every record type shares (docs/security.md 22): map spreadsheet columns to fields, validate
// every row with the module's own zod schema and reference lookups, and report each bad row with its reason and
// the column it is about. Which rows are written is the caller's choice (server/imports/service.ts: the whole
// file or nothing, or the good rows only); a dry run only reports. Writing happens in chunks so a job can show
// progress; created records carry the batch id, so an interrupted import can be rolled back.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { fieldErrors } from '../http/validate.ts';
import { UNIT_AFTER_AMOUNT, type MoneyUnit } from '../http/fields.ts';
import type { Table } from './tabular.ts';
import { yielder } from './yielder.ts';
import { withSearchMark } from '../db/searchable.ts';

export interface ImportColumn {
  header: string;
  field: string;
  /** other headers accepted for this column */
  aliases?: string[];
  /** what a user should write here, shown on the import page */
  hint?: string;
  /** a file without this column cannot be imported (other columns may be left out) */
  required?: boolean;
  /**
   * money: an amount whose unit (元, 万元, 亿元) the header ("成交金额（元）") or the cell ("120万元") may name; a
   * cell that names none gets the header's, and prepare converts (`wanToYuan`: 万元 when neither says).
   * date: a spreadsheet's day number (46359, a date cell Excel stores as a plain number) and 20261203 are read
   * as dates, and a time after the day ("2026/12/3 0:00") is dropped; the schema parses the rest.
   */
  type?: 'money' | 'date';
  /** cell text → what prepare expects ("技术开发合同" → "技术开发"), after the type's reading */
  normalise?(text: string): string;
}

/** A problem of a row: the schema's field path, the column of the file it is about ('' for the whole row), why. */
export interface RowProblem {
  field: string;
  column: string;
  message: string;
}

export interface RowOutcome {
  line: number;
  action: 'create' | 'update' | 'error';
  label: string;
  errors?: Record<string, string>;
  /** the errors again, each with the column it is about */
  problems?: RowProblem[];
}

export type Resolution<Ready> = { ready: Ready; existingId?: string | undefined } | { errors: Record<string, string> };

export interface ImportSpec<Input, Ready> {
  kind: string;
  label: string;
  columns: ImportColumn[];
  schema: z.ZodType<Input>;
  /** cell text → schema input (labels to codes, 万元 to 元 …) */
  prepare?(cells: Record<string, string>): Record<string, unknown>;
  /** loads lookups once per file (names → ids …) */
  preload?(): Promise<unknown>;
  /** references and existing records; returns field errors or the row ready to write */
  resolve(input: Input, lookups: unknown): Promise<Resolution<Ready>>;
  /** the row's identity within the file, to refuse duplicates */
  keyOf(ready: Ready): string;
  labelOf(ready: Ready | Input): string;
  /** writes one chunk; `batch` is stored on created records */
  write(chunk: { ready: Ready; existingId?: string | undefined }[], batch: string): Promise<void>;
  /** removes records created by an interrupted batch */
  rollback?(batch: string): Promise<number>;
}

export interface Validation<Ready> {
  outcomes: RowOutcome[];
  valid: { ready: Ready; existingId?: string | undefined }[];
  counts: { create: number; update: number; error: number };
  missingColumns: string[];
}

// ---- headers ---------------------------------------------------------------------------------------------------
// A header matches a column's name or alias ignoring spaces, full- or half-width brackets and what they hold,
// a required-mark "*" and a unit suffix: "合同成交额（万元）", "合同成交额(元)", "合同成交额 万元" and "合同成交额"
// are one column.

const BRACKETED = /[([【〔][^)\]】〕]*[)\]】〕]/g;
const UNIT_SUFFIX = /(?:[/_:-]|单位:?)?(?:亿元|万元|元)$/;

/** A header reduced to what identifies its column. */
export function headerKey(header: string): string {
  return header.normalize('NFKC').replace(/[\s*]/g, '').replace(BRACKETED, '').replace(UNIT_SUFFIX, '');
}

const UNIT_WORDS: Record<string, MoneyUnit> = { 元: '元', 万元: '万元', 万: '万元', 亿元: '亿元', 亿: '亿元' };

/** The money unit a header names — "（元）", "(万元)", "【单位：亿元】", "…/万元", "…万元" — if any. */
export function headerUnit(header: string): MoneyUnit | undefined {
  const t = header.normalize('NFKC').replace(/[\s*]/g, '');
  for (const [inner] of t.matchAll(BRACKETED)) {
    const word = /^.(?:单位:?)?(亿元|万元|元|亿|万).$/.exec(inner)?.[1];
    if (word) return UNIT_WORDS[word];
  }
  const suffix = /(亿元|万元|元)$/.exec(t.replace(BRACKETED, ''))?.[1];
  return suffix ? UNIT_WORDS[suffix] : undefined;
}

interface HeaderIndex {
  /** field → the header it has in the file */
  map: Map<string, string>;
  missing: string[];
  /** field → the money unit its header names */
  units: Map<string, MoneyUnit>;
}

function headerIndex(spec: ImportSpec<unknown, unknown>, headers: string[]): HeaderIndex {
  const map = new Map<string, string>();
  const units = new Map<string, MoneyUnit>();
  const byKey = new Map<string, string>();
  for (const h of headers) if (h && !byKey.has(headerKey(h))) byKey.set(headerKey(h), h);
  for (const col of spec.columns) {
    for (const name of [col.header, ...(col.aliases ?? [])]) {
      const found = byKey.get(headerKey(name));
      if (found) {
        map.set(col.field, found);
        const unit = col.type === 'money' ? headerUnit(found) : undefined;
        if (unit) units.set(col.field, unit);
        break;
      }
    }
  }
  return { map, units, missing: spec.columns.filter((c) => c.required && !map.has(c.field)).map((c) => c.header) };
}

// ---- cells -----------------------------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date column's cell as text the date parser reads: a day number as Excel stores dates (1900 system: day 1 is
 * 1900-01-01, with its phantom 1900-02-29; only five-digit numbers, 1927–2173, so a year typed alone stays an
 * error), "20261203", or a day followed by a time. Anything else is returned as it is.
 */
export function dateCellText(text: string): string {
  const t = text.normalize('NFKC').trim();
  if (/^\d{5}(\.\d+)?$/.test(t)) {
    const day = new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(t)) * 86_400_000);
    return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  const withTime = /^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.exec(t);
  return withTime ? withTime[1]! : text;
}

function cellOf(col: ImportColumn | undefined, text: string, unit: MoneyUnit | undefined): string {
  let t = text;
  if (t !== '' && col?.type === 'money' && unit && !UNIT_AFTER_AMOUNT.test(t.normalize('NFKC').trim())) t = `${t}${unit}`;
  if (t !== '' && col?.type === 'date') t = dateCellText(t);
  return t !== '' && col?.normalise ? col.normalise(t) : t;
}

/** The column of the file an error is about: its field's, else the column a field path ("registration.date") names. */
function columnOf(spec: ImportSpec<unknown, unknown>, map: Map<string, string>, field: string): string {
  if (field === '_') return '';
  const first = field.split('.')[0]!;
  const camel = field.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  const col =
    spec.columns.find((c) => c.field === field) ??
    spec.columns.find((c) => c.field === camel) ??
    spec.columns.find((c) => c.field === first) ??
    spec.columns.find((c) => c.field.startsWith(first) && map.has(c.field)) ??
    spec.columns.find((c) => c.field.startsWith(first));
  return col ? (map.get(col.field) ?? col.header) : '';
}

export async function validateTable<Input, Ready>(spec: ImportSpec<Input, Ready>, table: Table): Promise<Validation<Ready>> {
  const loose = spec as ImportSpec<unknown, unknown>;
  const { map, missing, units } = headerIndex(loose, table.headers);
  const columns = new Map(spec.columns.map((c) => [c.field, c]));
  const outcomes: RowOutcome[] = [];
  const valid: Validation<Ready>['valid'] = [];
  const counts = { create: 0, update: 0, error: 0 };
  const lookups = await spec.preload?.();
  const seen = new Map<string, number>();
  const pause = yielder(); // 20,000 rows of checks must not hold the event loop (docs/security.md, "Uploads")
  const failed = (line: number, label: string, errors: Record<string, string>) => {
    const problems = Object.entries(errors).map(([field, message]) => ({ field, column: columnOf(loose, map, field), message }));
    outcomes.push({ line, action: 'error', label, errors, problems });
    counts.error++;
  };
  for (const row of table.rows) {
    await pause();
    const cells: Record<string, string> = {};
    for (const [field, header] of map) cells[field] = cellOf(columns.get(field), row.cells[header] ?? '', units.get(field));
    const prepared = spec.prepare ? spec.prepare(cells) : cells;
    const parsed = spec.schema.safeParse(prepared);
    if (!parsed.success) {
      failed(row.line, labelFromCells(cells), fieldErrors(parsed.error));
      continue;
    }
    const resolved = await spec.resolve(parsed.data, lookups);
    if ('errors' in resolved) {
      failed(row.line, spec.labelOf(parsed.data), resolved.errors);
      continue;
    }
    const key = spec.keyOf(resolved.ready);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      failed(row.line, spec.labelOf(resolved.ready), { _: `与第 ${earlier} 行重复。` });
      continue;
    }
    seen.set(key, row.line);
    const action = resolved.existingId ? 'update' : 'create';
    outcomes.push({ line: row.line, action, label: spec.labelOf(resolved.ready) });
    counts[action]++;
    valid.push(resolved);
  }
  return { outcomes, valid, counts, missingColumns: missing };
}

function labelFromCells(cells: Record<string, string>): string {
  return cells.name || cells.title || Object.values(cells).find(Boolean) || '';
}

export const CHUNK = 250;

/** Writes validated rows in chunks, reporting progress; returns the batch id. */
export async function writeAll<Ready>(
  spec: ImportSpec<unknown, Ready>,
  rows: Validation<Ready>['valid'],
  onProgress: (done: number) => Promise<void> | void = () => {},
  batch: string = randomUUID(),
): Promise<string> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await spec.write(rows.slice(i, i + CHUNK), batch);
    await onProgress(Math.min(i + CHUNK, rows.length));
  }
  return batch;
}

/** The model calls a chunk writer needs (any mongoose model has them). */
interface Writable {
  insertMany(docs: object[], opts: { ordered: boolean }): Promise<unknown>;
  bulkWrite(ops: { updateOne: { filter: object; update: object } }[]): Promise<unknown>;
}

export interface ChunkWrite<Ready> {
  /** fields a new record gets besides the row's (the same for every row, or per row) */
  onCreate?: Record<string, unknown> | ((ready: Ready) => Record<string, unknown>);
  /** the update of an existing record (default: `$set` of the row's fields) */
  update?: (ready: Ready) => { $set?: Record<string, unknown>; $unset?: Record<string, unknown> };
  /**
   * searchable models: each update also marks the record for the search index, in the same write (bulkWrite
   * bypasses the searchable hooks; platform/db/searchable.ts `withSearchMark`)
   */
  searchMark?: boolean;
}

/**
 * The `write` of every spec: new rows inserted with `onCreate`'s fields and the batch (so an interrupted import
 * can be rolled back), existing ones updated with the row's fields (or `update`'s), marked for the index when asked.
 */
export async function insertOrUpdate<Ready extends object>(model: Writable, chunk: { ready: Ready; existingId?: string | undefined }[], batch: string, opts: ChunkWrite<Ready> = {}): Promise<void> {
  const onCreate = (ready: Ready) => (typeof opts.onCreate === 'function' ? opts.onCreate(ready) : (opts.onCreate ?? {}));
  const creates = chunk.filter((r) => !r.existingId).map((r) => ({ ...r.ready, ...onCreate(r.ready), importBatch: batch }));
  if (creates.length) await model.insertMany(creates, { ordered: true });
  const updates = chunk.filter((r) => r.existingId);
  if (!updates.length) return;
  const updateOf = (ready: Ready) => {
    const { $set = {}, $unset } = opts.update ? opts.update(ready) : { $set: ready as Record<string, unknown> };
    const update = { $set, ...($unset ? { $unset } : {}) };
    return opts.searchMark ? withSearchMark(update) : update;
  };
  await model.bulkWrite(updates.map((r) => ({ updateOne: { filter: { _id: r.existingId }, update: updateOf(r.ready) } })));
}

/** A yes/no cell: 是, √, true, 1, yes and y are yes. */
export const yesCell = (v: string | undefined): boolean => (v ? ['是', '√', 'true', '1', 'yes', 'y'].includes(v.trim().toLowerCase()) : false);

/** The export columns of an import spec, so an exported file imports back. */
export const columnsOf = (spec: { columns: { header: string }[] }): { header: string }[] => spec.columns.map((c) => ({ header: c.header }));
