// The API documents itself: /api/v1/openapi.json is valid OpenAPI 3.1 and lists every operation the app serves
// under /api/v1 (read here from the Express router itself, not from the documentation's own list); its inputs
// are the zod schemas the handlers validate with; /developers shows it as a page; /api/v1/vocabulary lists the
// code lists; and an API error on a code field names the codes allowed while the form keeps its plain message.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildTestApp } from '../support/app.ts';
import { apiToken, submit, userAgent } from '../support/agent.ts';
import { catalogue } from '../../server/developers/catalogue.ts';
import { degree, town } from '../../server/vocabulary/index.ts';
import { talentInput } from '../../server/talents/schema.ts';

const { app } = buildTestApp();

type Layer = { route?: { path: unknown; stack: { method?: string }[] }; handle?: { stack?: Layer[] } };

/** Every "METHOD /api/v1/…" route in the app's router, nested routers included, as Express holds them. */
function servedByExpress(): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = (Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) as unknown[];
        for (const p of paths) {
          if (typeof p !== 'string' || !p.startsWith('/api/v1/')) continue;
          for (const l of layer.route.stack) if (l.method && l.method !== 'head' && l.method !== 'options') out.add(`${l.method.toUpperCase()} ${p}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...out].sort();
}

const toOpenApi = (route: string) => route.replace(/:(\w+)/g, '{$1}');

async function fetchDocument() {
  const res = await request(app).get('/api/v1/openapi.json').expect(200);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  return res.body as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>> };
}

describe('API documentation', () => {
  it('when /api/v1/openapi.json is fetched, then it is a valid OpenAPI 3.1 document', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\.1/);
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('then every operation the app serves under /api/v1 is in the document, and nothing else', async () => {
    const doc = await fetchDocument();
    const served = servedByExpress();
    expect(served.length).toBeGreaterThan(100);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing = served.filter((route) => !documented.has(toOpenApi(route)));
    expect(missing, 'served under /api/v1 but missing from openapi.json: describe them in server/developers/catalogue.ts').toEqual([]);
    const servedSet = new Set(served.map(toOpenApi));
    expect([...documented].filter((op) => !servedSet.has(op))).toEqual([]);
    // A catalogue entry for a route that is no longer served is stale.
    expect(Object.keys(catalogue).filter((key) => !served.includes(key))).toEqual([]);
  });

  it('then inputs come from the zod schemas the routes validate with, and guards say who may call', async () => {
    const doc = await fetchDocument();
    const create = doc.paths['/api/v1/talents']!.post!;
    const body = (create.requestBody as { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }>; required: string[] } }> }).content['application/json']!.schema;
    expect(body.properties.degree!.enum).toEqual(degree.keys);
    expect(body.properties.town).toBeUndefined(); // talentInput has no town: the employer's is used
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(talentInput.shape).sort());
    expect(body.required).toEqual(expect.arrayContaining(['name', 'degree', 'employer']));
    expect(create.security).toEqual([{ bearerToken: [] }]);

    // A list that may be left out (absent is empty) is not required; one that needs an item is.
    const demand = (doc.paths['/api/v1/demands']!.post!.requestBody as { content: Record<string, { schema: { required: string[]; properties: Record<string, Record<string, unknown>> } }> }).content['application/json']!.schema;
    expect(demand.required).toContain('keywords');
    expect(demand.required).not.toContain('cooperationModes');
    expect(demand.properties.cooperationModes).toMatchObject({ type: 'array', items: { enum: expect.arrayContaining(['transfer', 'license']), 'x-vocabulary': 'cooperationMode' } });

    // Enum fields name their code list.
    const enterprise = (doc.paths['/api/v1/enterprises']!.post!.requestBody as { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> }).content['application/json']!.schema;
    expect(enterprise.properties.town).toMatchObject({ enum: town.keys, 'x-vocabulary': 'town' });
    expect(String(enterprise.properties.town!.description)).toContain('shiqiaoyi=石桥驿镇');

    // Pagination, public and organizer-only operations, problem+json.
    const list = doc.paths['/api/v1/demands']!.get!;
    expect(list.parameters).toEqual(expect.arrayContaining([{ $ref: '#/components/parameters/page' }, { $ref: '#/components/parameters/limit' }]));
    expect(list.security).toEqual([{}, { bearerToken: [] }]);
    const users = doc.paths['/api/v1/users']!.get!;
    expect(users['x-roles']).toEqual(['organizer']);
    expect(Object.keys(users.responses as object)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(doc.components.securitySchemes).toMatchObject({ bearerToken: { type: 'http', scheme: 'bearer' }, sessionCookie: { type: 'apiKey', in: 'cookie' } });
    expect(doc.components.schemas!.ValidationProblem).toBeDefined();
    expect((doc.paths['/api/v1/targets/entries']!.post!.requestBody as { content: object }).content).toHaveProperty('multipart/form-data');
  });

  it('when /developers is opened, then each operation is listed with its method, path, fields and answers, with no outside script', async () => {
    const res = await request(app).get('/developers').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('开发者接口文档');
    expect(res.text).toContain('/api/v1/openapi.json');
    expect(res.text).toContain('<code>/api/v1/demands/{id}/matches</code>');
    expect(res.text).toContain('新建技术需求');
    expect(res.text).toContain('Authorization: Bearer');
    expect(res.text).toMatch(/<code>town<\/code><\/td><td>代码<\/td><td>是<\/td><td>可选：lixi, mahe/);
    expect(res.text).not.toMatch(/<script[^>]+src="(https?:)?\/\//);
    expect(res.text).not.toMatch(/<link[^>]+href="(https?:)?\/\//);
  });
});

describe('Code lists and code errors', () => {
  it('when /api/v1/vocabulary is fetched, then every code list comes with its Chinese labels, degrees included', async () => {
    const res = await request(app).get('/api/v1/vocabulary').expect(200);
    const lists = res.body.items as { name: string; title: string; codes: { code: string; label: string }[] }[];
    const byName = Object.fromEntries(lists.map((l) => [l.name, l]));
    for (const name of ['town', 'industry', 'maturity', 'degree', 'cooperationMode', 'demandStatus', 'talentCategory', 'indicator']) expect(byName[name], name).toBeDefined();
    expect(byName.town!.codes).toContainEqual({ code: 'shiqiaoyi', label: '石桥驿镇' });
    expect(byName.degree!.codes).toEqual([
      { code: 'doctor', label: '博士' },
      { code: 'master', label: '硕士' },
      { code: 'bachelor', label: '学士' },
      { code: 'other', label: '其他' },
    ]);
    expect(byName.town!.title).toBe('所在乡镇（街道、园区）');
  });

  it('when the API is sent a label instead of a code, then the field error names the codes allowed', async () => {
    const { auth } = await apiToken('enterprise');
    const res = await request(app)
      .post('/api/v1/enterprises')
      .set(auth)
      .send({ name: '东宝测试化工有限公司', creditCode: '91420802MA4XXXXXX0', industry: 'chemicals', town: '石桥驿镇', contact: { person: '张三', phone: '13800000000' } })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = JSON.parse(res.text);
    expect(body.errors.town).toBe(`请选择所在乡镇（街道、园区）。可选值：${town.keys.join(', ')}`);
    expect(body.allowed.town).toEqual(town.keys);
    expect(body.allowed.name).toBeUndefined();
  });

  it('when a form is sent a bad code, then the page keeps its plain message', async () => {
    const { agent } = await userAgent(app, 'enterprise');
    const res = await submit(agent, '/enterprises/new', '/enterprises', {
      name: '东宝测试建材有限公司',
      creditCode: '91420802MA4XXXXXX0',
      industry: 'building',
      town: '石桥驿镇',
    });
    expect(res.text).toContain('请选择所在乡镇（街道、园区）。');
    expect(res.text).not.toContain('可选值');
  });
});
