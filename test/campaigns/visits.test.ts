// Issue 7: 专家东宝行 itineraries — travel gaps, overlapping stops, an expert in two places (visits and roadshow
// slots), and what must not clash; the visit report and the follow-up need created from it in one click.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { Demand } from '../../server/demands/model.ts';
import { at, makeCampaign, roadshowBody, utc } from './support.ts';

const { app } = buildTestApp();

let organizer: Awaited<ReturnType<typeof apiToken>>;
let campaign: string;
let other: string;
const firms: Awaited<ReturnType<typeof owner>>[] = [];

beforeAll(async () => {
  organizer = await apiToken('organizer');
  campaign = await makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '2026年专家东宝行（测试）', goals: { experts: 10, visits: 40 } });
  other = await makeCampaign(app, organizer.auth, { kind: 'roadshow', name: '项目路演（测试）' });
  for (const name of ['东宝区甲磷化公司', '东宝区乙建材公司', '东宝区丙电子公司']) firms.push(await owner('enterprise', { name }));
});

const plan = (body: object) => request(app).post('/api/v1/visits').set(organizer.auth).send({ campaign, ...body });
const stop = (firm: number, startsAt: string, minutes = 60) => ({ enterprise: firms[firm]!.id, startsAt, minutes });

describe('planning visits', () => {
  it('when an itinerary spans days with enough time between enterprises, then it is saved in order and the expert and enterprises are told', async () => {
    const expert = await owner('expert', { name: '陈多日' });
    const res = await plan({ expert: expert.id, stops: [stop(2, at(4, 1, '09:00')), stop(0, at(4, 0, '09:00'), 90), stop(1, at(4, 0, '11:00'))] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.stops.map((s: { enterprise: { name: string } }) => s.enterprise.name)).toEqual(['东宝区甲磷化公司', '东宝区乙建材公司', '东宝区丙电子公司']);
    expect(res.body).toMatchObject({ travelMinutes: 30, startsAt: utc(at(4, 0, '09:00')), endsAt: utc(at(4, 1, '10:00')), expert: { id: expert.id, name: '陈多日' } });
    expect(res.body.title).toContain('陈多日 专家东宝行');
    for (const who of [expert, firms[0]!]) {
      const notes = await request(app).get('/api/v1/notifications').set(who.auth).expect(200);
      expect(notes.body.items.some((n: { title: string }) => n.title.startsWith('专家东宝行：'))).toBe(true);
    }
  });

  it('when stops at different enterprises are closer than the travel gap, then 409 names them; at one enterprise, or with a shorter gap set, it is fine', async () => {
    const expert = await owner('expert', { name: '孙路程' });
    const close = await plan({ expert: expert.id, stops: [stop(0, at(5, 0, '09:00')), stop(1, at(5, 0, '10:15'))] });
    expect(close.status).toBe(409);
    expect(close.body.detail).toContain('第 1 站“东宝区甲磷化公司”与第 2 站“东宝区乙建材公司”之间只有 15 分钟，不同企业之间至少需要 30 分钟路程时间');
    expect(close.body.errors['stops.1.startsAt']).toBeDefined();
    await plan({ expert: expert.id, stops: [stop(0, at(5, 1, '09:00')), stop(0, at(5, 1, '10:00'))] }).expect(201);
    await plan({ expert: expert.id, travelMinutes: 10, stops: [stop(0, at(5, 2, '09:00')), stop(1, at(5, 2, '10:15'))] }).expect(201);
  });

  it('when two stops of one itinerary overlap, then 409 names them', async () => {
    const expert = await owner('expert', { name: '郑重叠' });
    const res = await plan({ expert: expert.id, stops: [stop(0, at(6, 0, '09:00'), 120), stop(0, at(6, 0, '10:00'))] });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('第 2 站“东宝区甲磷化公司”');
    expect(res.body.detail).toContain('时间重叠');
  });

  it('when the expert is already visiting or presenting at the time, then 409 names the other event; without overlap (and with travel time) it is fine', async () => {
    const expert = await owner('expert', { name: '钱忙碌' });
    await plan({ expert: expert.id, stops: [stop(0, at(7, 0, '09:00'))] }).expect(201);
    const overlap = await plan({ expert: expert.id, stops: [stop(1, at(7, 0, '09:30'))] });
    expect(overlap.status).toBe(409);
    expect(overlap.body.detail).toContain('专家钱忙碌在');
    expect(overlap.body.detail).toContain('已安排在专家东宝行走访“东宝区甲磷化公司”');
    const noTravel = await plan({ expert: expert.id, stops: [stop(1, at(7, 0, '10:10'))] });
    expect(noTravel.status).toBe(409);
    expect(noTravel.body.detail).toContain('之间只有 10 分钟');
    await plan({ expert: expert.id, stops: [stop(1, at(7, 0, '10:30'))] }).expect(201);
    // Another expert at the same enterprise at the same time is not a clash.
    const colleague = await owner('expert', { name: '李同行' });
    await plan({ expert: colleague.id, stops: [stop(0, at(7, 0, '09:00'))] }).expect(201);

    await request(app)
      .post('/api/v1/roadshows')
      .set(organizer.auth)
      .send(roadshowBody(other, { title: '新能源专场', startsAt: at(7, 2, '14:00'), endsAt: at(7, 2, '17:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(7, 2, '14:00'), minutes: 30 }] }))
      .expect(201);
    const onStage = await plan({ expert: expert.id, stops: [stop(2, at(7, 2, '14:15'))] });
    expect(onStage.status).toBe(409);
    expect(onStage.body.detail).toContain('已安排在路演“新能源专场”第 1 项');
    await plan({ expert: expert.id, stops: [stop(2, at(7, 2, '14:30'))] }).expect(201);
  });

  it('when the input is wrong or the caller is not an organizer, then 400 per field or 403', async () => {
    const expert = await owner('expert');
    const wrongKind = await request(app).post('/api/v1/visits').set(organizer.auth).send({ campaign: other, expert: expert.id, stops: [stop(0, at(8, 0, '09:00'))] });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.errors.campaign).toBe('走访行程应属于“专家东宝行”类活动。');
    const bad = await plan({ expert: expert.id, travelMinutes: 500, stops: [{ enterprise: 'x', startsAt: '2026-13-01T09:00', minutes: 5 }] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(expect.arrayContaining(['travelMinutes', 'stops.0.enterprise', 'stops.0.startsAt', 'stops.0.minutes']));
    expect((await plan({ expert: expert.id, stops: [] })).body.errors.stops).toBe('请至少安排一站走访。');
    const gone = await plan({ expert: expert.id, stops: [{ ...stop(0, at(8, 0, '09:00')), enterprise: '0123456789abcdef01234567' }] });
    expect(gone.body.errors['stops.0.enterprise']).toBe('所选企业不存在。');
    const outside = await plan({ expert: expert.id, stops: [stop(0, at(120, 0, '09:00'))] });
    expect(outside.body.errors['stops.0.startsAt']).toContain('活动期间');
    expect((await request(app).post('/api/v1/visits').set(expert.auth).send({ campaign, expert: expert.id, stops: [stop(0, at(8, 0, '09:00'))] })).status).toBe(403);
  });
});

describe('reports and follow-up needs', () => {
  let expert: Awaited<ReturnType<typeof owner>>;
  let visit: { id: string; stops: { id: string }[] };

  beforeAll(async () => {
    expert = await owner('expert', { name: '赵报告', keywords: ['磷石膏', '渗滤液', '堆场治理'] });
    visit = (await plan({ expert: expert.id, stops: [stop(0, at(-1, 1, '09:00')), stop(1, at(30, 1, '09:00'))] }).expect(201)).body;
  });

  const report = (auth: Record<string, string>, body: object) => request(app).post(`/api/v1/visits/${visit.id}/report`).set(auth).send(body);

  it('when the visiting expert reports after the stop, then the problems are kept and shown to the parties only', async () => {
    const body = { stop: visit.stops[0]!.id, problems: ['磷石膏堆场渗滤液处理成本高', '湿法磷酸萃取率偏低'], suggestions: '建议引入膜分离与石灰中和联合工艺。' };
    expect((await report(firms[0]!.auth, body)).status).toBe(403);
    const stranger = await owner('expert');
    expect((await report(stranger.auth, body)).status).toBe(403);
    const early = await report(expert.auth, { ...body, stop: visit.stops[1]!.id });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('尚未开始');
    const empty = await report(expert.auth, { stop: visit.stops[0]!.id, problems: [] });
    expect(empty.body.errors.problems).toBe('请填写发现的问题或专家建议。');

    const saved = await report(expert.auth, body).expect(200);
    expect(saved.body.stops[0].report).toMatchObject({ problems: body.problems, suggestions: body.suggestions });
    expect((await request(app).get(`/api/v1/visits/${visit.id}`).set(firms[0]!.auth)).body.stops[0].report.problems).toHaveLength(2);
    const anonymous = (await request(app).get(`/api/v1/visits/${visit.id}`).expect(200)).body.stops[0];
    expect(anonymous).toMatchObject({ reported: true });
    expect(anonymous.report).toBeUndefined();
    expect((await request(app).get(`/api/v1/visits/${visit.id}`).set(firms[1]!.auth)).body.stops[0].report).toBeUndefined();
  });

  it('when an organizer creates a follow-up need from a problem, then it is pre-filled for the enterprise, tagged with the campaign and linked to the stop', async () => {
    const stopId = visit.stops[0]!.id;
    const follow = (body: object, auth = organizer.auth) => request(app).post(`/api/v1/visits/${visit.id}/followups`).set(auth).send({ stop: stopId, ...body });
    expect((await follow({ problem: 0 }, expert.auth)).status).toBe(403);

    const first = await follow({ problem: 0 });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const need = first.body.demand;
    expect(need).toMatchObject({ title: '磷石膏堆场渗滤液处理成本高', enterprise: { id: firms[0]!.id }, status: 'draft', industry: 'chemicals', keywords: ['磷石膏', '渗滤液', '堆场治理'] });
    expect(need.description).toContain('专家东宝行走访（赵报告，');
    expect(need.description).toContain('专家建议：建议引入膜分离与石灰中和联合工艺。');
    expect((await Demand.findById(need.id).lean())!.campaigns).toEqual([campaign]);
    expect(first.body.visit.stops[0].followUps).toEqual([expect.objectContaining({ demand: need.id, title: need.title, problem: 0 })]);
    // The enterprise finds the draft among its needs and may publish it.
    expect((await request(app).get(`/api/v1/demands/${need.id}`).set(firms[0]!.auth)).status).toBe(200);

    const twice = await follow({ problem: 0 });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain('已生成跟进需求“磷石膏堆场渗滤液处理成本高”');
    const second = await follow({ problem: 1, title: '提高湿法磷酸萃取率的工艺优化', publish: true }).expect(201);
    expect(second.body.demand).toMatchObject({ title: '提高湿法磷酸萃取率的工艺优化', status: 'published' });
    const badTitle = await follow({ problem: 2, title: '短' });
    expect(badTitle.status).toBe(400);
    expect(badTitle.body.errors.title).toBeDefined();

    const progress = await request(app).get(`/api/v1/campaigns/${campaign}`).expect(200);
    expect(progress.body.progress.visits).toMatchObject({ problems: 2, followUps: 2 });
  });
});
