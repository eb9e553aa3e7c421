// The API documents itself for integrators: GET /api/v1/openapi.json (OpenAPI 3.1, built from the routes the app
// serves and the zod schemas they validate with — platform/http/api-docs.ts, catalogue.ts) and /developers, the
// same document as a page (server-rendered, no script).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Express, type RequestHandler } from 'express';
import { openApiDocument } from '../platform/http/api-docs.ts';
import { projectRoot } from '../platform/paths.ts';
import { labelOf } from '../vocabulary/index.ts';
import { codeListOf, codeLists } from '../vocabulary/routes.ts';
import { catalogue, resources, tags } from './catalogue.ts';

const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

const DESCRIPTION = [
  '东宝区科技成果转化与人才对接平台的接口，供省级平台与区科技局的脚本等程序调用。',
  '认证：请求头 Authorization: Bearer <令牌>（在“账户”页创建）。/api/ 下不读取网页的会话 Cookie。',
  '格式：JSON；列表答复 { items, total, page, limit }，以 page、limit（至多 100）翻页；金额为整数“元”；日期为 年-月-日。',
  '错误：application/problem+json（RFC 9457），含 status、title、detail、requestId；输入有误时 errors 逐字段说明，取代码的字段另在 allowed 中列出可选代码。',
  '代码表：GET /api/v1/vocabulary。',
].join('\n\n');

const documents = new WeakMap<Express, Record<string, unknown>>();

/** The document for this app (built once: routes do not change while it runs). */
export function apiDocument(app: Express): Record<string, unknown> {
  let doc = documents.get(app);
  if (!doc) {
    doc = openApiDocument(app, {
      title: '东宝区科技成果转化与人才对接平台 API',
      version,
      description: DESCRIPTION,
      serverUrl: app.locals.baseUrl as string,
      catalogue,
      resources,
      tags,
      roleLabel: (role) => labelOf('role', role),
      enumNote: (values) => {
        const list = codeListOf(values);
        if (!list) return undefined;
        return { description: `${list.title}（代码表 ${list.name}）：${list.codes.map((c) => `${c.code}=${c.label}`).join('，')}`, vocabulary: list.name };
      },
    });
    documents.set(app, doc);
  }
  return doc;
}

const openApiJson: RequestHandler = (req, res) => {
  res.set('Cache-Control', 'no-cache').json(apiDocument(req.app as Express));
};

// ---- the page ------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Field {
  name: string;
  type: string;
  required: boolean;
  notes: string[];
}

/** What a JSON Schema takes, in a few words: "字符串", "整数", "代码", "字符串数组" … */
function typeOf(schema: Json): string {
  if (Array.isArray(schema.enum)) return '代码';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives) return [...new Set(alternatives.map(typeOf).filter((t) => t !== '任意'))].join(' 或 ') || '任意';
  const names: Record<string, string> = { string: '字符串', integer: '整数', number: '数字', boolean: '布尔值', object: '对象', null: 'null' };
  const t = schema.type;
  if (t === 'array') return `${typeOf((schema.items ?? {}) as Json)}数组`;
  if (t === 'string' && schema.format === 'date') return '日期（年-月-日）';
  if (Array.isArray(t)) return t.map((x) => names[String(x)] ?? String(x)).join(' 或 ');
  return typeof t === 'string' ? (names[t] ?? t) : '任意';
}

function notesOf(schema: Json): string[] {
  const notes: string[] = [];
  const s = (Array.isArray(schema.anyOf) ? ((schema.anyOf as Json[]).find((a) => a.type === 'string') ?? schema) : schema) as Json;
  if (Array.isArray(s.enum)) notes.push(`可选：${(s.enum as unknown[]).join(', ')}`);
  if (typeof s['x-vocabulary'] === 'string') notes.push(`代码表 ${String(s['x-vocabulary'])}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) notes.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} 字`);
  if (s.minimum !== undefined || s.maximum !== undefined) notes.push(`${s.minimum ?? '−∞'} 至 ${s.maximum ?? '∞'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) notes.push(`${s.minItems ?? 0}–${s.maxItems ?? '∞'} 项`);
  if (typeof s.pattern === 'string') notes.push(s.pattern === '^[0-9a-f]{24}$' ? '记录 id' : `格式 ${s.pattern}`);
  if (schema.default !== undefined) notes.push(`默认 ${JSON.stringify(schema.default)}`);
  if (typeof s.description === 'string' && !s['x-vocabulary']) notes.push(s.description);
  return notes;
}

/** An object schema's fields, nested ones with dot paths (contact.phone, slots[].minutes). */
function fieldsOf(schema: Json, prefix = ''): Field[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const out: Field[] = [];
  for (const [name, prop] of Object.entries(props)) {
    const full = `${prefix}${name}`;
    out.push({ name: full, type: typeOf(prop), required: required.has(name), notes: notesOf(prop) });
    if (prop.type === 'object' && prop.properties) out.push(...fieldsOf(prop, `${full}.`));
    const items = prop.items as Json | undefined;
    if (prop.type === 'array' && items?.type === 'object' && items.properties) out.push(...fieldsOf(items, `${full}[].`));
  }
  return out;
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

function pageModel(doc: Json) {
  const components = doc.components as { parameters: Record<string, Json>; responses: Record<string, Json> };
  const resolve = (x: Json): Json => {
    const ref = x.$ref as string | undefined;
    if (!ref) return x;
    const [, , kind, name] = ref.split('/');
    return (components as unknown as Record<string, Record<string, Json>>)[kind!]![name!]!;
  };
  const groups = new Map<string, unknown[]>();
  for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const method of METHOD_ORDER) {
      const op = item[method];
      if (!op) continue;
      const parameters = ((op.parameters ?? []) as Json[]).map(resolve).map((param) => ({
        name: param.name,
        in: param.in === 'path' ? '路径' : '查询',
        required: !!param.required,
        type: typeOf(param.schema as Json),
        notes: param.in === 'path' ? [String(param.description)] : [...notesOf(param.schema as Json), ...(typeof param.description === 'string' ? [param.description] : [])],
      }));
      const content = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, { schema: Json }>;
      const [bodyType, body] = Object.entries(content)[0] ?? [];
      const responses = Object.entries(op.responses as Record<string, Json>).map(([status, r]) => ({ status: status === 'default' ? '其他' : status, description: resolve(r).description }));
      const group = (op.tags as string[])[0]!;
      groups.set(group, [
        ...(groups.get(group) ?? []),
        {
          method: method.toUpperCase(),
          methodClass: method,
          path: p,
          anchor: op.operationId,
          summary: op.summary,
          description: String(op.description ?? '').split('\n\n'),
          parameters,
          bodyType: bodyType === 'multipart/form-data' ? 'multipart/form-data（上传文件）' : bodyType,
          bodyFields: body ? fieldsOf(body.schema) : [],
          responses,
        },
      ]);
    }
  }
  return [...groups].map(([name, operations]) => ({ name, operations }));
}

const page: RequestHandler = (req, res) => {
  const doc = apiDocument(req.app as Express);
  res.render('developers/index', {
    title: '开发者接口文档',
    section: 'developers',
    baseUrl: req.app.locals.baseUrl,
    groups: pageModel(doc),
    vocabularies: codeLists(),
  });
};

export default function developerRoutes(): Router {
  const r = Router();
  r.get('/developers', page);
  r.get('/api/v1/openapi.json', openApiJson);
  return r;
}
