// The import pipeline every record type shares (docs/security.md 22): map spreadsheet columns to fields, validate
// every row with the module's own zod schema and reference lookups, and report each bad row with its reason.
// A file with any bad row writes nothing; a dry run only reports. Writing happens in chunks so a job can show
// progress; created records carry the batch id, so an interrupted import can be rolled back.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { fieldErrors } from '../http/validate.ts';
import type { Table } from './tabular.ts';
import { yielder } from './yielder.ts';

export interface ImportColumn {
  header: string;
  field: string;
  /** other headers accepted for this column */
  aliases?: string[];
  /** what a user should write here, shown on the import page */
  hint?: string;
  /** a file without this column cannot be imported (other columns may be left out) */
  required?: boolean;
}

export interface RowOutcome {
  line: number;
  action: 'create' | 'update' | 'error';
  label: string;
  errors?: Record<string, string>;
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

function headerIndex(spec: ImportSpec<unknown, unknown>, headers: string[]): { map: Map<string, string>; missing: string[] } {
  const map = new Map<string, string>();
  const normalised = new Map(headers.map((h) => [h.replace(/\s|（.*?）|\(.*?\)|\*/g, ''), h]));
  for (const col of spec.columns) {
    for (const name of [col.header, ...(col.aliases ?? [])]) {
      const key = name.replace(/\s|（.*?）|\(.*?\)|\*/g, '');
      const found = normalised.get(key);
      if (found) {
        map.set(col.field, found);
        break;
      }
    }
  }
  return { map, missing: spec.columns.filter((c) => c.required && !map.has(c.field)).map((c) => c.header) };
}

export async function validateTable<Input, Ready>(spec: ImportSpec<Input, Ready>, table: Table): Promise<Validation<Ready>> {
  const { map, missing } = headerIndex(spec as ImportSpec<unknown, unknown>, table.headers);
  const outcomes: RowOutcome[] = [];
  const valid: Validation<Ready>['valid'] = [];
  const counts = { create: 0, update: 0, error: 0 };
  const lookups = await spec.preload?.();
  const seen = new Map<string, number>();
  const pause = yielder(); // 20,000 rows of checks must not hold the event loop (docs/security.md, "Uploads")
  for (const row of table.rows) {
    await pause();
    const cells: Record<string, string> = {};
    for (const [field, header] of map) cells[field] = row.cells[header] ?? '';
    const prepared = spec.prepare ? spec.prepare(cells) : cells;
    const parsed = spec.schema.safeParse(prepared);
    if (!parsed.success) {
      outcomes.push({ line: row.line, action: 'error', label: labelFromCells(cells), errors: fieldErrors(parsed.error) });
      counts.error++;
      continue;
    }
    const resolved = await spec.resolve(parsed.data, lookups);
    if ('errors' in resolved) {
      outcomes.push({ line: row.line, action: 'error', label: spec.labelOf(parsed.data), errors: resolved.errors });
      counts.error++;
      continue;
    }
    const key = spec.keyOf(resolved.ready);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      outcomes.push({ line: row.line, action: 'error', label: spec.labelOf(resolved.ready), errors: { _: `与第 ${earlier} 行重复。` } });
      counts.error++;
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

/**
 * The usual `write` of a spec: new rows inserted with `onCreate`'s fields and the batch (so an interrupted
 * import can be rolled back), existing ones updated with the row's fields only.
 */
export async function insertOrUpdate<Ready extends object>(model: Writable, chunk: { ready: Ready; existingId?: string | undefined }[], batch: string, onCreate: Record<string, unknown> = {}): Promise<void> {
  const creates = chunk.filter((r) => !r.existingId).map((r) => ({ ...r.ready, ...onCreate, importBatch: batch }));
  if (creates.length) await model.insertMany(creates, { ordered: true });
  const updates = chunk.filter((r) => r.existingId);
  if (updates.length) await model.bulkWrite(updates.map((r) => ({ updateOne: { filter: { _id: r.existingId }, update: { $set: r.ready } } })));
}

/** A yes/no cell: 是, √, true, 1, yes and y are yes. */
export const yesCell = (v: string | undefined): boolean => (v ? ['是', '√', 'true', '1', 'yes', 'y'].includes(v.trim().toLowerCase()) : false);

/** The export columns of an import spec, so an exported file imports back. */
export const columnsOf = (spec: { columns: { header: string }[] }): { header: string }[] => spec.columns.map((c) => ({ header: c.header }));
