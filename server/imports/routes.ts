// Data exchange for organizers: upload a spreadsheet (with a dry run, all or nothing or the good rows only),
// follow its progress, read its report, download the rows it left out and a template — pages under
// /admin/imports and the API at /api/v1/imports.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { organizerOnly } from '../platform/auth/guards.ts';
import { Invalid } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { apiUpload, pageUpload } from '../platform/http/upload.ts';
import { renderInvalid } from '../platform/http/forms.ts';
import { kindOptions, KIND_NAMES, dataKind } from './registry.ts';
import { getJob, IMPORT_MODES, recentJobs, rejectedWorkbook, startImport, template, type JobView } from './service.ts';

export const uploadFields = z.object({
  kind: z.enum(KIND_NAMES as [string, ...string[]], { error: '请选择数据类型。' }),
  dryRun: z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean()),
  mode: z.preprocess((v) => (v === undefined || v === '' ? 'all' : v), z.enum(IMPORT_MODES, { error: '导入方式应为 all（全部无误才导入）或 valid（导入无误的行）。' })),
});

const modeOptions = [
  { value: 'all', label: '全部无误才导入：只要有一行有误，整个文件都不写入' },
  { value: 'valid', label: '导入无误的行，列出有误的行：有误的行可下载修改后再导入' },
];

function fileOf(req: Parameters<RequestHandler>[0]): { filename: string; buffer: Buffer } {
  if (!req.file) throw new Invalid({ file: '请选择要导入的 Excel 或 CSV 文件。' });
  // The upload parser reads the name as UTF-8, as browsers send it (upload.ts).
  return { filename: req.file.originalname, buffer: req.file.buffer };
}

const formLocals = async (req: Parameters<RequestHandler>[0]) => ({
  title: '数据导入',
  section: 'admin',
  kindOptions: kindOptions(),
  modeOptions,
  jobs: await recentJobs(req.user!),
  columnsByKind: kindOptions().map((k) => ({ ...k, columns: dataKind(k.value)!.spec.columns })),
});

const page: RequestHandler = async (req, res) => {
  res.render('imports/index', { ...(await formLocals(req)), values: { kind: req.query.kind, mode: 'all' } });
};

const upload: RequestHandler = async (req, res) => {
  try {
    const fields = parse(uploadFields, req.body ?? {});
    const { job } = await startImport(req.user!, { ...fields, ...fileOf(req) }, req.log);
    res.redirect(303, `/admin/imports/${job.id}`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    renderInvalid(res, 'imports/index', err, { ...(await formLocals(req)), values: req.body });
  }
};

const show: RequestHandler = async (req, res) => {
  const job = await getJob(req.user!, idParam(req));
  res.set('Cache-Control', 'no-store');
  res.render('imports/job', { title: `导入：${job.filename}`, section: 'admin', job, refresh: job.status === 'running' });
};

const templateFile: RequestHandler = async (req, res) => {
  const { filename, body } = await template(String(req.params.kind));
  res.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(body);
};

const sendXlsx = (res: Parameters<RequestHandler>[1], file: { filename: string; body: Buffer }) => {
  res.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  res.set('Cache-Control', 'no-store');
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(file.body);
};

const rejectedFile: RequestHandler = async (req, res) => {
  sendXlsx(res, await rejectedWorkbook(req.user!, idParam(req)));
};

/** The API's job: the view, plus where the rejected rows can be downloaded when there are any. */
const apiJob = (job: JobView) => (job.rejected ? { ...job, rejectedFile: `/api/v1/imports/${job.id}/rejected.xlsx` } : job);

const apiCreate: RequestHandler = async (req, res) => {
  const fields = parse(uploadFields, { kind: req.body?.kind ?? req.query.kind, dryRun: req.body?.dryRun ?? req.query.dryRun, mode: req.body?.mode ?? req.query.mode });
  const { job, writing } = await startImport(req.user!, { ...fields, ...fileOf(req) }, req.log);
  // ?wait=1 answers when the write is done, for scripts that want the final state in one call.
  const final = req.query.wait === '1' && writing ? await writing : job;
  res.status(job.status === 'invalid' ? 422 : 201).location(`/api/v1/imports/${job.id}`).json(apiJob(final));
};

const apiGet: RequestHandler = async (req, res) => {
  res.json(apiJob(await getJob(req.user!, idParam(req))));
};

export default function importRoutes(): Router {
  const r = Router();
  r.get('/admin/imports', organizerOnly, page);
  r.post('/admin/imports', organizerOnly, ...pageUpload('file'), upload);
  r.get('/admin/imports/template/:kind.xlsx', organizerOnly, templateFile);
  r.get('/admin/imports/:id', organizerOnly, show);
  r.get('/admin/imports/:id/rejected.xlsx', organizerOnly, rejectedFile);
  r.post('/api/v1/imports', organizerOnly, apiUpload('file'), apiCreate);
  r.get('/api/v1/imports/:id', organizerOnly, apiGet);
  r.get('/api/v1/imports/:id/rejected.xlsx', organizerOnly, rejectedFile);
  return r;
}
