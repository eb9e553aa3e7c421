// The API's own documentation (OpenAPI 3.1), built from what the app serves: the routes under /api/v1 are read
// from the Express router, their guards tell who may call them (auth/guards.ts), and their inputs are the zod
// schemas the handlers validate with, turned into JSON Schema by zod itself (z.toJSONSchema). A handler made by
// recordApi (crud.ts) carries its schemas; every other operation is described in a catalogue keyed by
// "METHOD /api/v1/path" (server/developers/catalogue.ts). An operation the app serves without a description is
// left out of the document, and test/platform/openapi.test.ts fails on it.
import type { Express } from 'express';
import { z } from 'zod';
import { guardRequirement, type GuardRequirement } from '../auth/guards.ts';
import { EMPTY_WHEN_ABSENT } from './fields.ts';
import { pageQuery } from './pager.ts';

export const API_PREFIX = '/api/v1';

export type ApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a success answers: a page of a list, a JSON object, nothing (204), or a spreadsheet. */
export type ApiReturns = 'list' | 'json' | 'empty' | 'xlsx';

export interface ApiDoc {
  summary: string;
  description?: string;
  /** the query string's schema, as the handler parses req.query with it */
  query?: z.ZodType;
  /** query parameters a handler reads without a schema */
  queryParams?: { name: string; description: string; required?: boolean; enum?: readonly string[] }[];
  /** the body's schema, as the handler parses req.body with it */
  body?: z.ZodType;
  /** the body is multipart/form-data with this file field (the other fields are `body`'s) */
  upload?: { field: string; description: string };
  /** the success status (200 unless said) */
  status?: number;
  returns?: ApiReturns;
  /** what the success answer holds, in a sentence */
  answer?: string;
  /** statuses besides validation, authentication and not-found that the operation answers, with why */
  errors?: Record<number, string>;
}

/** A record resource's standard operation (recordApi in crud.ts): its schemas come with the handler. */
export interface CrudDoc {
  base: string;
  operation: 'list' | 'get' | 'create' | 'update' | 'remove';
  noun?: string;
  query?: z.ZodType;
  body?: z.ZodType;
}

const crudDocs = new WeakMap<object, CrudDoc>();

/** Marks a handler as a record resource's operation (called by recordApi). */
export function describeCrud<H extends object>(handler: H, doc: CrudDoc): H {
  crudDocs.set(handler, doc);
  return handler;
}

export interface ServedOperation {
  method: ApiMethod;
  /** the Express path, e.g. /api/v1/demands/:id */
  path: string;
  /** the route's handlers in order: guards, upload parsers, the handler last */
  handlers: unknown[];
}

interface RouterLayer {
  route?: { path: string | string[]; stack: { method?: string; handle: unknown }[] };
  handle?: { stack?: RouterLayer[] };
  slash?: boolean;
}

const METHODS = new Set<ApiMethod>(['get', 'post', 'put', 'patch', 'delete']);

/**
 * The operations under /api/v1 that the app's router serves. Module routers are mounted at the root
 * (server/app.ts), so a route's path is the one it was declared with; a router mounted under a path is not
 * searched (none is).
 */
export function servedOperations(app: Express): ServedOperation[] {
  const out: ServedOperation[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        const byMethod = new Map<ApiMethod, unknown[]>();
        for (const l of layer.route.stack) {
          const method = l.method as ApiMethod | undefined;
          if (!method || !METHODS.has(method)) continue;
          byMethod.set(method, [...(byMethod.get(method) ?? []), l.handle]);
        }
        for (const path of paths) {
          if (typeof path !== 'string' || !path.startsWith(`${API_PREFIX}/`)) continue;
          for (const [method, handlers] of byMethod) out.push({ method, path, handlers });
        }
      } else if (layer.slash && layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return out;
}

/** `/api/v1/demands/:id` → `/api/v1/demands/{id}` */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

/** The strictest guard among a route's handlers, or none (anyone may call it). */
export function requirementOf(handlers: unknown[]): GuardRequirement | undefined {
  let found: GuardRequirement | undefined;
  for (const h of handlers) {
    const r = guardRequirement(h);
    if (r && (!found || (r.roles && !found.roles) || (r.active && !found.active))) found = { ...found, ...r };
  }
  return found;
}

export interface DocumentOptions {
  title: string;
  version: string;
  description: string;
  /** the public address (BASE_URL) */
  serverUrl: string;
  /** operations not made by recordApi, by "METHOD /api/v1/path" (METHOD upper case, Express path) */
  catalogue: Record<string, ApiDoc>;
  /** a record resource's noun and group by its base (/demands), for recordApi operations */
  resources: Record<string, { noun: string }>;
  /** group names by the first path segment after /api/v1 (demands → 技术需求) */
  tags: Record<string, string>;
  /** a note for an enum's values (the code list they come from), or undefined */
  enumNote?: (values: readonly string[]) => { description: string; vocabulary?: string } | undefined;
  roleLabel?: (role: string) => string;
}

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), as a client sends it. */
export function jsonSchemaOf(schema: z.ZodType, enumNote?: DocumentOptions['enumNote']): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      // A JavaScript Date is what the importer passes; JSON clients send the text.
      if (def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string' });
      // A field that states its own shape (fields.ts: dateOnly, codeList, termList) keeps only that.
      if (ctx.jsonSchema.format === 'date' || ctx.jsonSchema.type === 'array') delete ctx.jsonSchema.anyOf;
    },
  }) as JsonSchema;
  delete json.$schema;
  optionalLists(json);
  if (enumNote) noteEnums(json, enumNote);
  return json;
}

/** A list that may be left out (fields.ts termList, codeList: absent is empty) is not required, whatever its length rule. */
function optionalLists(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(optionalLists);
  if (!node || typeof node !== 'object') return;
  const schema = node as JsonSchema;
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props && Array.isArray(schema.required)) {
    schema.required = (schema.required as string[]).filter((name) => !(props[name]?.[EMPTY_WHEN_ABSENT] && !props[name]?.minItems));
    if (!(schema.required as string[]).length) delete schema.required;
  }
  for (const value of Object.values(schema)) optionalLists(value);
}

/** Names the code list of every enum in a JSON Schema (description and x-vocabulary). */
function noteEnums(node: unknown, enumNote: NonNullable<DocumentOptions['enumNote']>): void {
  if (Array.isArray(node)) return node.forEach((n) => noteEnums(n, enumNote));
  if (!node || typeof node !== 'object') return;
  const schema = node as JsonSchema;
  if (Array.isArray(schema.enum) && schema.description === undefined) {
    const note = enumNote(schema.enum as string[]);
    if (note) Object.assign(schema, { description: note.description, ...(note.vocabulary ? { 'x-vocabulary': note.vocabulary } : {}) });
  }
  for (const value of Object.values(schema)) noteEnums(value, enumNote);
}

const CRUD_SUMMARY: Record<CrudDoc['operation'], (noun: string) => string> = {
  list: (n) => `${n}列表`,
  get: (n) => `查看一条${n}`,
  create: (n) => `新建${n}`,
  update: (n) => `修改${n}（只改给出的字段）`,
  remove: (n) => `删除${n}`,
};

const CRUD_DOC: Record<CrudDoc['operation'], Pick<ApiDoc, 'status' | 'returns' | 'answer'>> = {
  list: { returns: 'list', answer: '一页记录：{ items, total, page, limit }' },
  get: { returns: 'json', answer: '该记录，带 permissions（当前调用者能否修改、删除）' },
  create: { status: 201, returns: 'json', answer: '新建的记录；Location 头为其地址' },
  update: { returns: 'json', answer: '修改后的记录' },
  remove: { status: 204, returns: 'empty' },
};

/** The description of one served operation, or undefined when it has none. */
export function docOf(op: ServedOperation, opts: Pick<DocumentOptions, 'catalogue' | 'resources'>): ApiDoc | undefined {
  const listed = opts.catalogue[`${op.method.toUpperCase()} ${op.path}`];
  if (listed) return listed;
  const crud = crudDocs.get(op.handlers.at(-1) as object);
  if (!crud) return undefined;
  const noun = opts.resources[crud.base]?.noun ?? crud.noun;
  if (!noun) return undefined;
  return {
    summary: CRUD_SUMMARY[crud.operation](noun),
    ...CRUD_DOC[crud.operation],
    ...(crud.query ? { query: crud.query } : {}),
    ...(crud.body ? { body: crud.body } : {}),
  };
}

const problemRef = { $ref: '#/components/responses/Problem' };

export function openApiDocument(app: Express, opts: DocumentOptions): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const usedTags = new Set<string>();
  const roleLabel = opts.roleLabel ?? ((r: string) => r);
  for (const op of servedOperations(app)) {
    const doc = docOf(op, opts);
    if (!doc) continue;
    const path = openApiPath(op.path);
    const segment = op.path.slice(API_PREFIX.length + 1).split('/')[0]!;
    const tag = opts.tags[segment] ?? segment;
    usedTags.add(tag);
    const guard = requirementOf(op.handlers);
    const pathParams = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1]!,
      in: 'path',
      required: true,
      description: '记录 id（24 位十六进制）',
      schema: { type: 'string', pattern: '^[0-9a-f]{24}$' },
    }));
    const parameters: unknown[] = [...pathParams, ...queryParameters(doc, opts.enumNote)];
    const responses: Record<string, unknown> = { [String(doc.status ?? 200)]: successResponse(doc) };
    if (doc.query || doc.body || doc.upload) responses['400'] = { $ref: '#/components/responses/Invalid' };
    if (guard) {
      responses['401'] = { $ref: '#/components/responses/Unauthorized' };
      responses['403'] = { $ref: '#/components/responses/Forbidden' };
    }
    if (pathParams.length) responses['404'] = { $ref: '#/components/responses/NotFound' };
    for (const [status, why] of Object.entries(doc.errors ?? {})) responses[status] = { description: why, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    responses['429'] = { $ref: '#/components/responses/TooMany' };
    responses.default = problemRef;
    const who = !guard
      ? '无需令牌；带令牌时按其账户可见的范围作答'
      : guard.roles
        ? `需已审核的${guard.roles.map(roleLabel).join('或')}账户`
        : guard.active
          ? '需已审核的账户'
          : '需令牌（待审核的账户也可）';
    const operation: Record<string, unknown> = {
      operationId: `${op.method}${op.path.slice(API_PREFIX.length).replace(/[/:.-](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      summary: doc.summary,
      description: [doc.description, `权限：${who}`].filter(Boolean).join('\n\n'),
      tags: [tag],
      security: guard ? [{ bearerToken: [] }] : [{}, { bearerToken: [] }],
      ...(guard?.roles ? { 'x-roles': guard.roles } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body || doc.upload ? { requestBody: requestBody(doc, opts.enumNote) } : {}),
      responses,
    };
    (paths[path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: opts.title, version: opts.version, description: opts.description },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: opts.serverUrl }],
    tags: [...usedTags].map((name) => ({ name })),
    paths,
    components: components(),
  };
}

function queryParameters(doc: ApiDoc, enumNote: DocumentOptions['enumNote']): unknown[] {
  const out: unknown[] = [];
  if (doc.query) {
    const json = jsonSchemaOf(doc.query, enumNote);
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    const paging = pagingSchemas();
    for (const [name, schema] of Object.entries(props)) {
      // The common pagination parameters by reference, when the schema takes them as pageQuery does.
      if ((name === 'page' || name === 'limit') && JSON.stringify(schema) === JSON.stringify(paging[name])) {
        out.push({ $ref: `#/components/parameters/${name}` });
        continue;
      }
      out.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  for (const p of doc.queryParams ?? []) {
    out.push({ name: p.name, in: 'query', required: !!p.required, description: p.description, schema: p.enum ? { type: 'string', enum: p.enum } : { type: 'string' } });
  }
  return out;
}

function requestBody(doc: ApiDoc, enumNote: DocumentOptions['enumNote']): Record<string, unknown> {
  const schema = doc.body ? jsonSchemaOf(doc.body, enumNote) : { type: 'object', properties: {} };
  if (doc.upload) {
    const properties = { ...((schema.properties ?? {}) as Record<string, unknown>), [doc.upload.field]: { type: 'string', contentMediaType: 'application/octet-stream', description: doc.upload.description } };
    const required = [...((schema.required ?? []) as string[]), doc.upload.field];
    return { required: true, content: { 'multipart/form-data': { schema: { ...schema, properties, required } } } };
  }
  return { required: true, content: { 'application/json': { schema } } };
}

function successResponse(doc: ApiDoc): Record<string, unknown> {
  const description = doc.answer ?? (doc.returns === 'empty' ? '完成，无内容' : '成功');
  switch (doc.returns ?? 'json') {
    case 'empty':
      return { description };
    case 'xlsx':
      return { description, content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } } } };
    case 'list':
      return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ListPage' } } } };
    default:
      return { description, content: { 'application/json': { schema: { type: 'object' } } } };
  }
}

const pagingSchemas = () => jsonSchemaOf(pageQuery).properties as Record<string, JsonSchema>;

function components(): Record<string, unknown> {
  const paging = pagingSchemas();
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  return {
    securitySchemes: {
      bearerToken: {
        type: 'http',
        scheme: 'bearer',
        description: '个人访问令牌（tbd_…）：在“账户”页（/account）创建，或由管理员运行 npm run cli -- token:create --email E。令牌代表其账户，权限与账户相同。',
      },
      sessionCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'dongbao.sid',
        description: '网页登录后的会话 Cookie，只用于网页（带 CSRF 校验的表单）。/api/ 下的接口不读取会话 Cookie，程序调用请使用令牌。',
      },
    },
    parameters: {
      page: { name: 'page', in: 'query', required: false, description: '页码，从 1 开始；超出范围按 1 处理', schema: paging.page },
      limit: { name: 'limit', in: 'query', required: false, description: '每页条数，最多 100；超出范围按 20 处理', schema: paging.limit },
    },
    schemas: {
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem+json',
        required: ['type', 'title', 'status'],
        properties: {
          type: { type: 'string', examples: ['about:blank'] },
          title: { type: 'string', description: '简短的中文标题，如“输入有误”' },
          status: { type: 'integer' },
          detail: { type: 'string', description: '给人看的中文说明' },
          instance: { type: 'string', description: '请求的路径' },
          requestId: { type: 'string', description: '请求编号（与 X-Request-Id 头相同），反馈问题时请附上' },
        },
      },
      ValidationProblem: {
        allOf: [
          { $ref: '#/components/schemas/Problem' },
          {
            type: 'object',
            properties: {
              errors: {
                type: 'object',
                description: '每个有误的字段一条中文说明，键为字段路径（如 contact.phone、slots.2.minutes）；取代码的字段在说明末尾列出“可选值：…”',
                additionalProperties: { type: 'string' },
              },
              allowed: {
                type: 'object',
                description: '取代码的字段可选的代码，键与 errors 相同（代码表见 GET /api/v1/vocabulary）',
                additionalProperties: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        ],
      },
      ListPage: {
        type: 'object',
        required: ['items', 'total', 'page', 'limit'],
        properties: {
          items: { type: 'array', items: { type: 'object' } },
          total: { type: 'integer', description: '符合条件的总数；由搜索索引作答的列表最多翻到第 2,000 条，total 至多为 2000' },
          page: { type: 'integer' },
          limit: { type: 'integer' },
        },
      },
    },
    responses: {
      Invalid: { description: '输入有误：errors 逐字段说明', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ValidationProblem' } } } },
      Unauthorized: problem('未带令牌，或令牌无效、已撤销'),
      Forbidden: problem('账户待审核、已停用，或角色无权执行此操作'),
      NotFound: problem('记录不存在、已删除，或调用者无权看到'),
      TooMany: problem('请求过于频繁（如令牌验证失败过多）；Retry-After 头给出等待秒数'),
      Problem: problem('其他错误（409 冲突、413 内容过大、503 服务暂不可用等）'),
    },
  };
}
