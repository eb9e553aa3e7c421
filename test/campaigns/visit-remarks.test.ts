// The visiting expert is told when an organizer writes or changes a report of their 专家东宝行 visit (once per
// save), and adds a remark (专家备注) that the bureau is told of and that only the bureau and that expert see.
// Through the pages (session, CSRF) and the API (PUT /api/v1/visits/:id/remark).
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, type Agent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { Notification } from '../../server/notifications/model.ts';
import { at, makeCampaign } from './support.ts';

const { app } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let expert: Awaited<ReturnType<typeof owner>>;
let other: Awaited<ReturnType<typeof owner>>;
let host: Awaited<ReturnType<typeof owner>>;
let agent: Agent;
let visit: { id: string; stops: { id: string }[] };

beforeAll(async () => {
  organizer = await apiToken('organizer');
  const campaign = await makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '专家东宝行（备注测试）' });
  expert = await owner('expert', { name: '方备注' });
  other = await owner('expert', { name: '另一位专家' });
  host = await owner('enterprise', { name: '东宝区备注接待公司' });
  visit = (
    await request(app)
      .post('/api/v1/visits')
      .set(organizer.auth)
      .send({ campaign, expert: expert.id, stops: [{ enterprise: host.id, startsAt: at(-1, 1, '09:00'), minutes: 90 }] })
      .expect(201)
  ).body;
  agent = await loginAgent(app, expert.user.email);
});

const notices = (user: string, kind: string) => Notification.find({ user, kind }).lean();
const report = (auth: Record<string, string>, problems: string[]) =>
  request(app).post(`/api/v1/visits/${visit.id}/report`).set(auth).send({ stop: visit.stops[0]!.id, problems, suggestions: '建议引入在线监测。' });

async function remarkForm(remark: string) {
  const page = await agent.get(`/visits/${visit.id}`).expect(200);
  return agent.post(`/visits/${visit.id}/remark`).type('form').send({ _csrf: csrfFrom(page.text), remark });
}

describe('the report notice', () => {
  it('when an organizer writes the report, then the expert is told once, with a link to the visit', async () => {
    await report(organizer.auth, ['尾气处理效率偏低']).expect(200);
    const told = await notices(expert.user.id, 'visit.report');
    expect(told).toHaveLength(1);
    expect(told[0]!.link).toBe(`/visits/${visit.id}`);
    expect(told[0]!.title).toContain('东宝区备注接待公司');
    expect(await notices(other.user.id, 'visit.report')).toHaveLength(0);
  });

  it('when the organizer changes the report, then the expert is told again; the expert writing it is not told', async () => {
    await report(organizer.auth, ['尾气处理效率偏低', '缺少在线监测']).expect(200);
    expect(await notices(expert.user.id, 'visit.report')).toHaveLength(2);
    await report(expert.auth, ['尾气处理效率偏低']).expect(200);
    expect(await notices(expert.user.id, 'visit.report')).toHaveLength(2);
  });
});

describe('专家备注', () => {
  it('when the visiting expert opens the visit, then the remark form is there; for others it is not', async () => {
    const page = await agent.get(`/visits/${visit.id}`).expect(200);
    expect(page.text).toContain(`action="/visits/${visit.id}/remark"`);
    const otherAgent = await loginAgent(app, other.user.email);
    expect((await otherAgent.get(`/visits/${visit.id}`).expect(200)).text).not.toContain('/remark"');
  });

  it('when the remark is empty or too long, then the form comes back with a field error and nothing is kept', async () => {
    const empty = await remarkForm('  ');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写专家备注');
    expect(empty.text).toContain('aria-invalid="true"');
    const long = await remarkForm('长'.repeat(501));
    expect(long.status).toBe(400);
    expect(long.text).toContain('专家备注不能超过 500 个字');
    const api = await request(app).put(`/api/v1/visits/${visit.id}/remark`).set(expert.auth).send({ remark: '' });
    expect(api.status).toBe(400);
    expect(api.body.errors.remark).toBeTruthy();
    expect((await request(app).get(`/api/v1/visits/${visit.id}`).set(organizer.auth)).body.remark).toBeUndefined();
  });

  it('without the CSRF token, then the form is refused', async () => {
    const res = await agent.post(`/visits/${visit.id}/remark`).type('form').send({ remark: '没有令牌' });
    expect(res.status).toBe(403);
  });

  it('when the expert adds a remark, then it is on the page for the bureau and the expert, and the organizers are told', async () => {
    const res = await remarkForm('企业已同意下月送样检测，我会跟进。');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/visits/${visit.id}#remark`);
    expect((await agent.get(`/visits/${visit.id}`).expect(200)).text).toContain('企业已同意下月送样检测，我会跟进。');
    const bureau = await request(app).get(`/api/v1/visits/${visit.id}`).set(organizer.auth).expect(200);
    expect(bureau.body.remark.text).toBe('企业已同意下月送样检测，我会跟进。');
    const told = await notices(organizer.user.id, 'visit.remark');
    expect(told).toHaveLength(1);
    expect(told[0]!.link).toBe(`/visits/${visit.id}`);
    // not shown to anyone else
    expect((await request(app).get(`/api/v1/visits/${visit.id}`).set(host.auth).expect(200)).body.remark).toBeUndefined();
    expect((await request(app).get(`/visits/${visit.id}`).expect(200)).text).not.toContain('企业已同意下月送样检测');
  });

  it('when the expert edits the remark through the API, then it is replaced and the organizers are told again', async () => {
    const res = await request(app).put(`/api/v1/visits/${visit.id}/remark`).set(expert.auth).send({ remark: '送样已改为本月。' }).expect(200);
    expect(res.body.remark.text).toBe('送样已改为本月。');
    expect(await notices(organizer.user.id, 'visit.remark')).toHaveLength(2);
  });

  it('when anyone but the visiting expert sends a remark, then it is refused and nothing changes', async () => {
    expect((await request(app).put(`/api/v1/visits/${visit.id}/remark`).set(other.auth).send({ remark: '冒名备注' })).status).toBe(403);
    expect((await request(app).put(`/api/v1/visits/${visit.id}/remark`).set(organizer.auth).send({ remark: '代写备注' })).status).toBe(403);
    expect((await request(app).put(`/api/v1/visits/${visit.id}/remark`).set(host.auth).send({ remark: '企业备注' })).status).toBe(403);
    expect((await request(app).put('/api/v1/visits/0123456789abcdef01234567/remark').set(expert.auth).send({ remark: '不存在' })).status).toBe(404);
    expect((await request(app).get(`/api/v1/visits/${visit.id}`).set(organizer.auth)).body.remark.text).toBe('送样已改为本月。');
  });
});
