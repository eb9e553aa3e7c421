// Imports and exports for organizers (pages, API and CLI alike). A file is read and every row validated
// before anything is written. In mode "all" (the default) a file with any bad row writes nothing and reports
// each one; in mode "valid" the good rows are written and the bad ones listed, and kept as uploaded so that
// they can be downloaded as a workbook with a column 错误原因, corrected and imported again. What is written is
// written in chunks while the job records progress; if writing fails, or the process dies mid-way, the
// records created by the batch are removed (rows that updated existing records stay updated).
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { BadRequest, Forbidden, NotFound } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { memorySink, readTable, streamCsv, streamXlsx, type Table } from '../platform/io/tabular.ts';
import { exportRows } from '../platform/http/crud.ts';
import { validateTable, writeAll, type RowOutcome, type RowProblem } from '../platform/io/import.ts';
import * as audit from '../audit/service.ts';
import { dataKind, KIND_NAMES } from './registry.ts';
import { ImportJob, ImportReject, REJECT_CHUNK, type ImportJobDoc, type ImportRejectDoc } from './model.ts';
import { clock } from '../platform/clock.ts';

export type ImportMode = 'all' | 'valid';
export const IMPORT_MODES = ['all', 'valid'] as const;

/** The header of the reasons column added to the workbook of rejected rows. */
export const REASON_HEADER = '错误原因';

export interface JobView {
  id: string;
  kind: string;
  kindLabel: string;
  filename: string;
  dryRun: boolean;
  mode: ImportMode;
  status: string;
  total: number;
  done: number;
  counts: { create: number; update: number; error: number };
  missingColumns: string[];
  /** rows in the downloadable workbook of rejected rows (mode "valid"); 0 when there is none */
  rejected: number;
  errors: RowOutcome[];
  /** every row's outcome, kept for files of up to 2,000 rows (a dry run lists them) */
  rows: RowOutcome[];
  createdAt: Date;
  createdByName?: string | null;
  finishedAt?: Date | null;
  error?: string | null;
}

function kindOf(name: string) {
  const kind = dataKind(name);
  if (!kind) throw new BadRequest(`不支持导入“${name}”，可选：${KIND_NAMES.join('、')}。`);
  return kind;
}

type StoredProblems = { field: string; column?: string | null; message: string }[] | Record<string, string>; // reports saved before 2026-11-26 hold an object

function problemsOf(p: StoredProblems | undefined): RowProblem[] {
  if (!p) return [];
  return Array.isArray(p) ? p.map((x) => ({ field: x.field, column: x.column ?? '', message: x.message })) : Object.entries(p).map(([field, message]) => ({ field, column: '', message }));
}

export function jobView(doc: ImportJobDoc): JobView {
  const outcomes = (doc.outcomes ?? []) as unknown as { line: number; action: RowOutcome['action']; label: string; problems?: StoredProblems }[];
  const rows: RowOutcome[] = outcomes.map((o) => {
    const problems = problemsOf(o.problems);
    if (!problems.length) return { line: o.line, action: o.action, label: o.label };
    return { line: o.line, action: o.action, label: o.label, errors: Object.fromEntries(problems.map((x) => [x.field, x.message])), problems };
  });
  return {
    id: String(doc._id),
    kind: doc.kind,
    kindLabel: dataKind(doc.kind)?.spec.label ?? doc.kind,
    filename: doc.filename,
    dryRun: !!doc.dryRun,
    mode: doc.mode === 'valid' ? 'valid' : 'all',
    status: doc.status,
    total: doc.total ?? 0,
    done: doc.done ?? 0,
    counts: { create: doc.counts?.create ?? 0, update: doc.counts?.update ?? 0, error: doc.counts?.error ?? 0 },
    missingColumns: doc.missingColumns ?? [],
    rejected: doc.rejected ?? 0,
    errors: rows.filter((o) => o.action === 'error'),
    rows,
    createdAt: doc.createdAt,
    createdByName: doc.createdByName,
    finishedAt: doc.finishedAt,
    error: doc.error,
  };
}

export interface StartImport {
  kind: string;
  filename: string;
  buffer: Buffer;
  dryRun: boolean;
  /** all (default): any bad row → nothing written · valid: write the good rows, list the bad ones */
  mode?: ImportMode | undefined;
}

/**
 * Validates the file and records the job. Returns at once with the job, and — when there is something to
 * write and this is not a dry run — a promise of the write, which runs on in the background (pages show its
 * progress). In mode "all" a file with a bad row writes nothing; in mode "valid" only the good rows are
 * written, and the bad ones are kept for the workbook of rejected rows (`rejectedWorkbook`).
 */
export async function startImport(actor: Actor, input: StartImport, logger?: Logger): Promise<{ job: JobView; writing?: Promise<JobView> }> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以导入数据。');
  const kind = kindOf(input.kind);
  const mode: ImportMode = input.mode ?? 'all';
  const table = await readTable(input.buffer);
  const validation = await validateTable(kind.spec, table);
  const unreadable = validation.missingColumns.length > 0 || table.rows.length === 0;
  const invalid = unreadable || validation.valid.length === 0 || (mode === 'all' && validation.counts.error > 0);
  const status = invalid ? 'invalid' : input.dryRun ? 'checked' : 'running';
  const errorLines = validation.outcomes.filter((o) => o.action === 'error').map((o) => o.line);
  const keepRejected = mode === 'valid' && !input.dryRun && !unreadable && errorLines.length > 0;
  const id = new mongoose.Types.ObjectId();
  // The rejected rows first: a job that offers them has them.
  if (keepRejected) await saveRejected(String(id), table, errorLines);
  const doc = await ImportJob.create({
    _id: id,
    kind: input.kind,
    filename: input.filename.slice(0, 200),
    dryRun: input.dryRun,
    mode,
    status,
    total: validation.valid.length,
    done: 0,
    counts: validation.counts,
    missingColumns: validation.missingColumns,
    headers: keepRejected ? table.headers : undefined,
    rejected: keepRejected ? errorLines.length : 0,
    // Keep every bad row, and the good ones only for small files (a dry run lists them).
    outcomes: validation.outcomes
      .filter((o) => o.action === 'error' || validation.outcomes.length <= 2000)
      .map(({ errors: _errors, problems, ...o }) => ({ ...o, problems })),
    batch: status === 'running' ? randomUUID() : undefined,
    error: table.rows.length === 0 ? '文件中没有数据行。' : undefined,
    createdBy: actor.id,
    createdByName: actor.name,
  });
  await audit.record({
    actor,
    action: 'data.import',
    target: { kind: 'import', id: String(doc._id), label: input.filename },
    detail: `${kind.spec.label}${mode === 'valid' ? '（导入无误的行）' : ''}：${status}，新建 ${validation.counts.create}，更新 ${validation.counts.update}，错误 ${validation.counts.error}`,
  });
  const job = jobView(doc.toObject() as ImportJobDoc);
  if (status !== 'running') return { job };
  const writing = runWrite(String(doc._id), doc.batch!, validation.valid, input.kind, logger);
  return { job, writing };
}

/** Keeps the cells of the rejected rows, as uploaded, in chunks of REJECT_CHUNK rows. */
async function saveRejected(jobId: string, table: Table, lines: number[]): Promise<void> {
  const wanted = new Set(lines);
  const rows = table.rows.filter((r) => wanted.has(r.line)).map((r) => ({ line: r.line, cells: table.headers.map((h) => (h ? (r.cells[h] ?? '') : '')) }));
  for (let i = 0; i * REJECT_CHUNK < rows.length; i++) {
    await ImportReject.create({ _id: `${jobId}.${i}`, rows: rows.slice(i * REJECT_CHUNK, (i + 1) * REJECT_CHUNK) });
  }
}

/** "合同成交额（万元）：合同成交额必须是数字。 整行：与第 3 行重复。" — each problem with its column. */
export const reasonText = (problems: RowProblem[]): string => problems.map((p) => `${p.column || '整行'}：${p.message}`).join(' ');

/**
 * The rows a "valid"-mode import left out, as a workbook in the uploaded file's columns plus 错误原因, so that the
 * bureau can correct them and import the file again (the reasons column is not read on import).
 */
export async function rejectedWorkbook(actor: Actor, id: string): Promise<{ filename: string; body: Buffer }> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const doc = await getJobDoc(id);
  const job = jobView(doc);
  if (!job.rejected) throw new NotFound('这次导入没有需要下载的有误行。');
  const reasons = new Map(job.errors.map((e) => [e.line, reasonText(e.problems ?? [])]));
  // The file's headers, without the reasons column of an earlier round (it is written afresh) or blank headers.
  const headers = doc.headers ?? [];
  const keep = headers.map((h, i) => (h && h !== REASON_HEADER ? i : -1)).filter((i) => i >= 0);
  // The rows are read a stored chunk at a time and streamed into the workbook; only the compressed file is held
  // whole (the route sends a Buffer). It is bounded anyway: at most MAX_ROWS rows of one upload of at most 5 MB.
  async function* rows() {
    for (let i = 0; i * REJECT_CHUNK < job.rejected; i++) {
      const chunk = await ImportReject.findById(`${id}.${i}`).lean<ImportRejectDoc>();
      for (const r of chunk?.rows ?? []) yield [...keep.map((j) => r.cells[j] ?? ''), reasons.get(r.line) ?? ''];
    }
  }
  const columns = [...keep.map((j) => ({ header: headers[j]!, width: Math.max(12, headers[j]!.length * 2 + 4) })), { header: REASON_HEADER, width: 60 }];
  const base = job.filename.replace(/\.(xlsx|csv)$/i, '');
  const sink = memorySink();
  await streamXlsx(sink.out, job.kindLabel, columns, rows());
  return { filename: `${base}-有误的行.xlsx`, body: sink.body() };
}

async function runWrite(id: string, batch: string, rows: unknown[], kindName: string, logger?: Logger): Promise<JobView> {
  const kind = kindOf(kindName);
  try {
    await writeAll(kind.spec, rows as never, async (done) => {
      await ImportJob.updateOne({ _id: id }, { $set: { done } });
    }, batch);
    await ImportJob.updateOne({ _id: id }, { $set: { status: 'done', finishedAt: clock.now() } });
  } catch (err) {
    logger?.error({ err, job: id }, 'import failed; rolling back');
    let error: string;
    try {
      const removed = (await kind.spec.rollback?.(batch)) ?? 0;
      error = `写入时出错，已撤销本批新建的 ${removed} 条记录：${(err as Error).message}`;
    } catch (rollbackErr) {
      // Never "0 records undone" when nothing could be undone: say that rows of this batch may remain.
      logger?.error({ err: rollbackErr, job: id, batch }, 'import rollback failed; rows of the batch may remain');
      error = `写入时出错（${(err as Error).message}），撤销也未能完成：本批新建的记录可能仍在（导入批次 ${batch}），请联系系统管理员核对后再导入。`;
    }
    await ImportJob.updateOne({ _id: id }, { $set: { status: 'failed', finishedAt: clock.now(), error } });
  }
  return getJobDoc(id).then(jobView);
}

async function getJobDoc(id: string): Promise<ImportJobDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('导入任务不存在。');
  const doc = await ImportJob.findById(id).lean<ImportJobDoc>();
  if (!doc) throw new NotFound('导入任务不存在。');
  return doc;
}

export async function getJob(actor: Actor, id: string): Promise<JobView> {
  if (!isOrganizer(actor)) throw new Forbidden();
  return jobView(await getJobDoc(id));
}

export async function recentJobs(actor: Actor, limit = 20): Promise<JobView[]> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const docs = await ImportJob.find({}).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<ImportJobDoc[]>();
  return docs.map(jobView);
}

/** At boot: a job left running by a process that died is rolled back and marked failed. */
export async function recoverInterrupted(logger: Logger): Promise<number> {
  const stuck = await ImportJob.find({ status: 'running' }).lean<ImportJobDoc[]>();
  for (const job of stuck) {
    const removed = (await dataKind(job.kind)?.spec.rollback?.(job.batch ?? '-')) ?? 0;
    await ImportJob.updateOne(
      { _id: job._id },
      { $set: { status: 'failed', finishedAt: clock.now(), error: `导入被中断（服务重启），已撤销本批新建的 ${removed} 条记录，请重新导入。` } },
    );
    logger.warn({ job: String(job._id), removed }, 'rolled back an interrupted import');
  }
  return stuck.length;
}

/** An empty workbook with the right headers, and a second sheet explaining each column. */
export async function template(kindName: string): Promise<{ filename: string; body: Buffer }> {
  const kind = kindOf(kindName);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(kind.spec.label);
  sheet.columns = kind.spec.columns.map((c) => ({ header: c.header, width: Math.max(12, c.header.length * 2 + 4) }));
  sheet.getRow(1).font = { bold: true };
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列名', width: 20 }, { header: '说明', width: 60 }];
  for (const c of kind.spec.columns) help.addRow([c.header, c.hint ?? '']);
  return { filename: `${kind.spec.label}导入模板.xlsx`, body: Buffer.from(await wb.xlsx.writeBuffer()) };
}

/**
 * Streams every record of a kind, as the actor may see it, to `out` as .xlsx or .csv (the CLI's `export`, to a file;
 * pages export their list view through the same exportRows): from the service's database cursor — every kind but
 * targets, whose few hundred rows come from the in-process plan table — else page by page (at most 100,000 rows).
 * Resolves with the row count once `out` has finished; on a failure `out` is left open for the caller to destroy
 * (a file half written must not pass for a whole one).
 */
export async function exportTo(actor: Actor, kindName: string, format: 'xlsx' | 'csv', out: Writable): Promise<number> {
  const { def } = kindOf(kindName);
  if (!def.export) throw new BadRequest(`“${kindName}”不支持导出。`);
  const contacts = !!def.export.contactsOf && isOrganizer(actor);
  const rows = exportRows(def.service, def.export, actor, { page: 1, limit: 100 }, { maxRows: 100_000, contacts });
  return format === 'csv' ? streamCsv(out, def.export.columns, rows) : streamXlsx(out, def.export.sheet, def.export.columns, rows);
}
