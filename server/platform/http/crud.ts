// The page and API handlers every directory record type shares: list, show, new/create, edit/update,
// delete after a confirmation page, and export of the current list. A module supplies its service, schemas
// and templates; its routes.ts still lists each route (docs/design.md "Code habits": routes are a table of contents).
import type { Request, RequestHandler, Response, Router } from 'express';
import { requireActive } from '../auth/guards.ts';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { isOrganizer } from '../auth/actor.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { renderInvalid } from './forms.ts';
import { idParam } from './params.ts';
import { pager } from './pager.ts';
import { parse } from './validate.ts';
import { streamCsv, streamXlsx, type Column } from '../io/tabular.ts';
import type { Contact } from '../../contacts/model.ts';
import type { SearchIndex } from '../search/port.ts';
import * as audit from '../../audit/service.ts';
import { clock } from '../clock.ts';
import { retryInBackground } from '../follow-up.ts';
import { describeCrud, type CrudDoc } from './api-docs.ts';
import { indexVersion, visitorPages, type PageVersion } from './visitor-pages.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from './kept-body.ts';
import type { Topic } from '../db/shared-cache.ts';

export interface Permissions {
  edit: boolean;
  delete: boolean;
}

/** Records that count toward targets once an organizer has verified them (contracts, talents). */
export interface VerifiablePermissions extends Permissions {
  verify: boolean;
}

export interface ListResult<V> {
  items: V[];
  total: number;
  page: number;
  limit: number;
}

export interface RecordView {
  id: string;
  label: string;
}

/** `contact: false` when the page shows no contact (a delete confirmation), so nothing is revealed or audited. */
export interface GetOptions {
  ip?: string | undefined;
  contact?: boolean;
}

export interface RecordService<V extends RecordView, In, Q> {
  /** The list from the database; exports read `cursor` instead when the service has one (every record type but targets). */
  list(actor: Actor | undefined, query: Q): Promise<ListResult<V>>;
  /**
   * Exports only: every record of the list's filter, in the list's order, from one database cursor (the list's
   * `find(filter).sort(sort).lean().cursor()`, each document mapped to its view; `page` and `limit` ignored).
   * Without it an export pages through `list` (at most 10,000 rows from a page, 100,000 from the CLI; exportRows).
   */
  cursor?(actor: Actor | undefined, query: Q): AsyncIterable<V>;
  /** The list from the search index (pages and the API read this when the module has it). */
  browse?(search: SearchIndex, actor: Actor | undefined, query: Q): Promise<ListResult<Record<string, unknown>>>;
  /** One record; `contact` only when the actor may see it (the service records the reveal). */
  get(actor: Actor | undefined, id: string, opts?: GetOptions): Promise<V & { permissions: Permissions }>;
  create(actor: Actor, input: In): Promise<V>;
  update(actor: Actor, id: string, input: Partial<In>): Promise<V>;
  remove(actor: Actor, id: string): Promise<void>;
}

export interface ExportDef<V> {
  sheet: string;
  columns: Column[];
  row(view: V, contact?: Contact): unknown[];
  /** private contacts of the exported records — fetched for organizers only, and audited as one reveal */
  contactsOf?(ids: string[]): Promise<Map<string, Contact>>;
}

export interface RecordDef<V extends RecordView, In, Q> {
  base: string;
  noun: string;
  section: string;
  views: { list: string; show: string; form: string };
  service: RecordService<V, In, Q>;
  /**
   * The list page a visitor sees is made from the search index alone (`service.browse`, listLocals with nothing
   * but vocabulary): it is kept rendered per URL and index generation for visitors (platform/http/visitor-pages.ts).
   */
  listForVisitorsFromIndex?: boolean;
  /**
   * What a record's page shows a visitor depends on (a version, platform/http/visitor-pages.ts): the page is then
   * kept rendered per URL and version for visitors. Only for records whose page shows visitors no contact.
   */
  showForVisitors?: PageVersion;
  /**
   * The list's page is made from caches of this topic alone (the service's page cache, listLocals with nothing but
   * vocabulary and the actor's role), or from the search index alone ('index'): the rendered list is kept per user
   * and URL until the topic is announced, like the data it shows (platform/db/shared-cache.ts), or while the index
   * is at the generation it was rendered from. A CSRF token the list writes is filled in per view
   * (platform/http/kept-body.ts).
   */
  keepListBodies?: Topic | 'index';
  schemas: { create: z.ZodType<In>; update: z.ZodType<Partial<In>>; list: z.ZodType<Q> };
  /** form fields → schema input (nested contact, 万元 → 元 …) */
  fromForm(body: Record<string, unknown>): Record<string, unknown>;
  /** a record → the values of its edit form */
  toForm(view: V): Record<string, unknown>;
  /** values a new form starts with, from the query (`?match=…` on a contract) */
  prefill?(query: Record<string, unknown>, actor: Actor): Promise<Record<string, unknown>>;
  /** select lists and defaults the form needs */
  formLocals?(actor: Actor): Promise<Record<string, unknown>> | Record<string, unknown>;
  listLocals?(query: Q, actor: Actor | undefined): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** related records for the detail page */
  showLocals?(
    record: V & { permissions: Permissions },
    actor: Actor | undefined,
    ctx: { search?: SearchIndex | undefined; /** the page's query string (e.g. `?demand=` a link carried) */ query: Record<string, unknown> },
  ): Promise<Record<string, unknown>>;
  export?: ExportDef<V>;
  /** follow-up work after a record is created (announcing matches …); failures are logged with the request id and retried (platform/follow-up.ts), not shown */
  afterCreate?(record: V, ctx: { search?: SearchIndex | undefined; actor: Actor }): Promise<void>;
}

function followUp<V extends RecordView>(def: { afterCreate?: RecordDef<V, unknown, unknown>['afterCreate'] }, record: V, req: Request): void {
  if (!def.afterCreate) return;
  const search = req.app.locals.search as SearchIndex | undefined;
  const actor = req.user!;
  void retryInBackground('follow-up after create', () => def.afterCreate!(record, { search, actor }), req.log);
}

const actorOf = (req: Request) => req.user as Actor | undefined;

/** Lists come from the search index when the module can read them there, else from the database. */
function listFor<V extends RecordView, In, Q>(service: RecordService<V, In, Q>, req: Request, query: Q) {
  const search = req.app.locals.search as SearchIndex | undefined;
  return service.browse && search ? service.browse(search, actorOf(req), query) : service.list(actorOf(req), query);
}

/** From a cursor, views are handed on (and their contacts fetched) this many at a time while an export streams. */
const EXPORT_BATCH = 100;
/**
 * Without a cursor, `list` is read in pages of this many: each page is a query of its own (skip/limit; on FerretDB
 * every page scans the filter again), so few large pages rather than many small ones; one page is held at a time.
 */
const EXPORT_PAGE = 1_000;

async function* viewBatches<V extends RecordView, In, Q>(service: RecordService<V, In, Q>, actor: Actor | undefined, query: Q, maxRows: number): AsyncGenerator<V[]> {
  if (service.cursor) {
    let batch: V[] = [];
    for await (const view of service.cursor(actor, query)) {
      batch.push(view);
      if (batch.length >= EXPORT_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    return;
  }
  for (let page = 1; (page - 1) * EXPORT_PAGE < maxRows; page++) {
    const result = await service.list(actor, { ...query, page, limit: EXPORT_PAGE });
    if (result.items.length) yield result.items;
    if (!result.items.length || page * result.limit >= result.total) break;
  }
}

/**
 * The rows of an export (the page routes' and the CLI's): the list's records in the list's order, a batch at a
 * time — from the service's database cursor when it has one (every record), else from `list` page by page (the
 * first `maxRows`) — each made a row by the module's ExportDef; with `contacts` (organizers only), each batch's
 * private contacts are fetched with it. Nothing holds more than a batch: feed it to streamXlsx/streamCsv.
 */
export async function* exportRows<V extends RecordView, In, Q>(
  service: RecordService<V, In, Q>,
  exporter: ExportDef<V>,
  actor: Actor | undefined,
  query: Q,
  opts: { maxRows: number; contacts: boolean },
): AsyncGenerator<unknown[]> {
  for await (const views of viewBatches(service, actor, query, opts.maxRows)) {
    const contacts = opts.contacts && exporter.contactsOf ? await exporter.contactsOf(views.map((v) => v.id)) : new Map<string, Contact>();
    for (const view of views) yield exporter.row(view, contacts.get(view.id));
  }
}

/** A row source whose first row has been read: `empty` when there was none, `count` rows handed on so far. */
interface BegunRows extends AsyncIterable<unknown[]> {
  readonly empty: boolean;
  readonly count: number;
  /** Ends the source (closing its cursor) if the writer stopped before the end; safe to call twice. */
  close(): Promise<void>;
}

/** Reads the first row before anything is sent, so that a failure there can still be answered as an error. */
async function begun(source: AsyncGenerator<unknown[]>): Promise<BegunRows> {
  const first = await source.next();
  let count = 0;
  async function* all() {
    if (first.done) return;
    count++;
    yield first.value;
    for (let next = await source.next(); !next.done; next = await source.next()) {
      count++;
      yield next.value;
    }
  }
  const rows = all();
  return {
    empty: !!first.done,
    get count() {
      return count;
    },
    [Symbol.asyncIterator]: () => rows,
    async close() {
      await rows.return(undefined);
      await source.return(undefined);
    },
  };
}

export function recordPages<V extends RecordView, In, Q>(def: RecordDef<V, In, Q>) {
  const formPage = async (res: Response, actor: Actor, locals: Record<string, unknown>) => ({
    section: def.section,
    noun: def.noun,
    base: def.base,
    ...(await def.formLocals?.(actor)),
    ...locals,
  });

  const listLocals = async (req: Request) => {
    const query = parse(def.schemas.list, req.query);
    const result = await listFor(def.service, req, query);
    return {
      title: def.noun,
      section: def.section,
      base: def.base,
      items: result.items,
      total: result.total,
      pager: pager(result),
      filters: query,
      /** module extras of the list (a contract list's sum …) */
      summary: result,
      canExport: !!def.export,
      ...(await def.listLocals?.(query, actorOf(req))),
    };
  };

  const bodies = def.keepListBodies ? keptBodies(def.keepListBodies) : undefined;

  const list: RequestHandler = async (req, res) => {
    const user = req.user;
    const version = def.keepListBodies === 'index' ? indexVersion(req) : '';
    if (!bodies || !user || version === undefined) return res.render(def.views.list, await listLocals(req));
    await sendWithKeptBody(req, res, {
      bodies,
      key: `${viewerKey(user)}|${version}|${req.originalUrl}`,
      view: def.views.list,
      locals: () => listLocals(req),
    });
  };

  const show: RequestHandler = async (req, res) => {
    const record = await def.service.get(actorOf(req), idParam(req), { ip: req.ip });
    // A page that may carry a private contact is never cached (docs/security.md 10).
    res.set('Cache-Control', 'no-store');
    const extra = await def.showLocals?.(record, actorOf(req), { search: req.app.locals.search as SearchIndex | undefined, query: req.query as Record<string, unknown> });
    res.render(def.views.show, { title: record.label, section: def.section, base: def.base, record, ...extra });
  };

  const newForm: RequestHandler = async (req, res) => {
    const values = def.prefill ? await def.prefill(req.query, req.user!) : { ...req.query };
    res.render(def.views.form, await formPage(res, req.user!, { title: `新建${def.noun}`, values, action: def.base }));
  };

  const create: RequestHandler = async (req, res) => {
    const body = req.body as Record<string, unknown>;
    try {
      const input = parse(def.schemas.create, def.fromForm(body));
      const record = await def.service.create(req.user!, input);
      followUp(def, record, req);
      req.flash('success', `已创建${def.noun}“${record.label}”。`);
      res.redirect(303, `${def.base}/${record.id}`);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      renderInvalid(res, def.views.form, err, await formPage(res, req.user!, { title: `新建${def.noun}`, values: body, action: def.base }));
    }
  };

  const editForm: RequestHandler = async (req, res) => {
    const record = await def.service.get(req.user!, idParam(req), { ip: req.ip });
    if (!record.permissions.edit) throw new Forbidden();
    res.set('Cache-Control', 'no-store');
    res.render(
      def.views.form,
      await formPage(res, req.user!, { title: `编辑${def.noun}`, values: def.toForm(record), record, action: `${def.base}/${record.id}` }),
    );
  };

  const update: RequestHandler = async (req, res) => {
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    try {
      const input = parse(def.schemas.create, def.fromForm(body));
      const record = await def.service.update(req.user!, id, input);
      req.flash('success', `已保存${def.noun}“${record.label}”。`);
      res.redirect(303, `${def.base}/${record.id}`);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const record = await def.service.get(req.user!, id, { contact: false });
      renderInvalid(res, def.views.form, err, await formPage(res, req.user!, { title: `编辑${def.noun}`, values: body, record, action: `${def.base}/${id}` }));
    }
  };

  const confirmDelete: RequestHandler = async (req, res) => {
    const record = await def.service.get(req.user!, idParam(req), { contact: false });
    if (!record.permissions.delete) throw new Forbidden();
    res.render('shared/confirm-delete', { title: `删除${def.noun}`, section: def.section, noun: def.noun, record, action: `${def.base}/${record.id}/delete`, back: `${def.base}/${record.id}` });
  };

  const remove: RequestHandler = async (req, res) => {
    await def.service.remove(req.user!, idParam(req));
    req.flash('success', `已删除该${def.noun}。`);
    res.redirect(303, def.base);
  };

  const exportList = (format: 'xlsx' | 'csv'): RequestHandler => async (req, res) => {
    if (!def.export) throw new NotFound();
    const exporter = def.export;
    const actor = actorOf(req);
    const query = parse(def.schemas.list, { ...req.query, page: '1', limit: '100' }) as Q & { page: number };
    const contacts = !!exporter.contactsOf && isOrganizer(actor);
    // The whole filtered list in the list's order (at most 10,000 rows without a cursor, as before), streamed
    // (exportRows). Its first row is read before anything is sent, so a failure there is answered like any other
    // error (problem+json or the error page).
    const rows = await begun(exportRows(def.service, exporter, actor, query, { maxRows: 10_000, contacts }));
    try {
      if (contacts && !rows.empty) {
        // One reveal for the whole export, recorded before the first contact leaves (the count is not known yet).
        await audit.record({ actor, action: 'contact.reveal', target: { kind: def.section, id: '-', label: `${def.noun}导出` }, detail: `导出${def.noun}列表，含联系方式`, ip: req.ip });
      }
      const stamp = clock.now().toISOString().slice(0, 10);
      const filename = `${exporter.sheet}-${stamp}.${format}`;
      res.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
      res.set('Cache-Control', 'no-store');
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8');
        await streamCsv(res, exporter.columns, rows);
      } else {
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        await streamXlsx(res, exporter.sheet, exporter.columns, rows);
      }
    } catch (err) {
      if (!res.headersSent) {
        res.removeHeader('Content-Disposition');
        res.removeHeader('Content-Type');
        throw err;
      }
      // Bytes have gone out: ending the response would hand the client a shorter file that looks whole.
      // Destroying it cuts the chunked body off, so the download fails visibly.
      if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') req.log.info({ rows: rows.count }, 'export abandoned by the client');
      else req.log.error({ err, rows: rows.count, format }, 'export failed after it began; response cut off');
      res.destroy();
    } finally {
      await rows.close();
    }
  };

  return { list, show, newForm, create, editForm, update, confirmDelete, remove, exportXlsx: exportList('xlsx'), exportCsv: exportList('csv') };
}

export function recordApi<V extends RecordView, In, Q>(def: Pick<RecordDef<V, In, Q>, 'base' | 'service' | 'schemas' | 'afterCreate'> & { noun?: string }) {
  const apiBase = `/api/v1${def.base}`;
  const list: RequestHandler = async (req, res) => {
    res.json(await listFor(def.service, req, parse(def.schemas.list, req.query)));
  };
  const get: RequestHandler = async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await def.service.get(actorOf(req), idParam(req), { ip: req.ip }));
  };
  const create: RequestHandler = async (req, res) => {
    const record = await def.service.create(req.user!, parse(def.schemas.create, req.body ?? {}));
    followUp(def, record, req);
    res.status(201).location(`${apiBase}/${record.id}`).json(record);
  };
  const update: RequestHandler = async (req, res) => {
    res.json(await def.service.update(req.user!, idParam(req), parse(def.schemas.update, req.body ?? {})));
  };
  const remove: RequestHandler = async (req, res) => {
    await def.service.remove(req.user!, idParam(req));
    res.status(204).end();
  };
  // Each handler carries its schemas into the API documentation (api-docs.ts).
  const doc = (operation: CrudDoc['operation'], schemas: Pick<CrudDoc, 'query' | 'body'> = {}) => ({ base: def.base, operation, noun: def.noun, ...schemas });
  return {
    list: describeCrud(list, doc('list', { query: def.schemas.list })),
    get: describeCrud(get, doc('get')),
    create: describeCrud(create, doc('create', { body: def.schemas.create })),
    update: describeCrud(update, doc('update', { body: def.schemas.update })),
    remove: describeCrud(remove, doc('remove')),
  };
}

/**
 * A record type's standard routes, declared once from its definition: the pages (list, new form, create, the two
 * exports, a record, its edit form, update, delete confirmation and delete) and the /api/v1 resource (list,
 * create, get, update, delete). Reading is open unless `read` guards it (contracts and talents are for members);
 * every write needs an approved account, and the services decide the rest (each module's policy.ts). A module
 * declares its other routes beside the call; any static path under the base (`/x/export.xlsx` is one) must come
 * before `/x/:id`, which is why the exports are declared here before it.
 */
export function mountRecord<V extends RecordView, In, Q>(r: Router, def: RecordDef<V, In, Q>, opts: { read?: RequestHandler[] } = {}): void {
  const pages = recordPages(def);
  const api = recordApi(def);
  const read = opts.read ?? [];
  const write = requireActive;
  const { base } = def;
  r.get(base, ...read, ...(def.listForVisitorsFromIndex && def.service.browse ? [visitorPages(indexVersion)] : []), pages.list);
  r.get(`${base}/new`, ...write, pages.newForm);
  r.post(base, ...write, pages.create);
  r.get(`${base}/export.xlsx`, ...read, pages.exportXlsx);
  r.get(`${base}/export.csv`, ...read, pages.exportCsv);
  r.get(`${base}/:id`, ...read, ...(def.showForVisitors ? [visitorPages(def.showForVisitors)] : []), pages.show);
  r.get(`${base}/:id/edit`, ...write, pages.editForm);
  r.post(`${base}/:id`, ...write, pages.update);
  r.get(`${base}/:id/delete`, ...write, pages.confirmDelete);
  r.post(`${base}/:id/delete`, ...write, pages.remove);
  r.get(`/api/v1${base}`, ...read, api.list);
  r.post(`/api/v1${base}`, ...write, api.create);
  r.get(`/api/v1${base}/:id`, ...read, api.get);
  r.patch(`/api/v1${base}/:id`, ...write, api.update);
  r.delete(`/api/v1${base}/:id`, ...write, api.remove);
}
