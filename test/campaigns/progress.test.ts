// Issue 7: campaign progress is computed from the records — the per-university funnel of 联百校转千果, the
// figures of 专家东宝行 and of roadshows — checked against figures worked out by hand; campaign inputs.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, loginAgent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Contract } from '../../server/deals/model.ts';
import { at, makeCampaign, roadshowBody, utc } from './support.ts';
import { advanceClock } from '../support/clock.ts';
import { clock } from '../../server/platform/clock.ts';
import { currentYear } from '../../server/platform/time.ts';

const { app } = buildTestApp();

let organizer: Awaited<ReturnType<typeof apiToken>>;

beforeAll(async () => {
  organizer = await apiToken('organizer');
});

async function contract(fields: { campaign?: string; seller: { kind: 'institution' | 'expert'; id: string; name: string }; amount: number; verified: boolean }) {
  await Contract.create({
    title: '技术开发合同',
    type: 'development',
    buyer: '0123456789abcdef01234567',
    buyerName: '东宝某企业',
    seller: fields.seller,
    amount: fields.amount,
    signedAt: clock.now(),
    signedYear: currentYear(),
    source: { campaign: fields.campaign },
    verified: fields.verified,
  });
}

describe('联百校转千果: the per-university funnel', () => {
  it('when results are tagged, matched and contracted, then each university’s funnel and the goals match the hand count', async () => {
    const campaign = await makeCampaign(app, organizer.auth, { name: '2026年联百校转千果（测试）', goals: { universities: 3, results: 10, matches: 4, contracts: 2 } });
    const [a, b, c, d] = await Promise.all(['甲大学', '乙大学', '丙研究院', '丁学院'].map((name) => owner('institution', { name })));
    const ent = await owner('enterprise');
    const needs = [(await demandOf(ent.actor)).id, (await demandOf(ent.actor)).id];
    const results = async (inst: typeof a, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await resultOf(inst!.actor)).id);
      return ids;
    };
    const [a1, a2, a3, a4] = await results(a, 4);
    const [b1] = await results(b, 1);
    const [c1] = await results(c, 1);

    // Universities taken on: 甲 and 乙 contacted, 丁 listed but not yet contacted; 丙 only has a result in.
    for (const [inst, contactedOn] of [[a, '2026-03-01'], [b, '2026-04-15'], [d, '']] as const) {
      await request(app).put(`/api/v1/campaigns/${campaign}/institutions/${inst!.id}`).set(organizer.auth).send({ contactedOn }).expect(200);
    }
    await request(app).post(`/api/v1/campaigns/${campaign}/tags`).set(organizer.auth).send({ kind: 'result', ids: [a1, a2, a3, b1, c1, a4] }).expect(200);
    await request(app).post(`/api/v1/campaigns/${campaign}/tags`).set(organizer.auth).send({ kind: 'result', ids: [a1] }).expect(200); // twice: no change
    await request(app).delete(`/api/v1/campaigns/${campaign}/tags`).set(organizer.auth).send({ kind: 'result', ids: [a4] }).expect(204);

    // Matches: a1 for two needs (one matched result), a2 declined (not matched), b1 once, a4 (not in the campaign) once.
    const shortlist = (need: string, id: string) => request(app).post(`/api/v1/demands/${need}/matches`).set(organizer.auth).send({ kind: 'result', id }).expect(201);
    await shortlist(needs[0]!, a1!);
    await shortlist(needs[1]!, a1!);
    const declined = await shortlist(needs[0]!, a2!);
    await request(app).post(`/api/v1/matches/${declined.body.id}/status`).set(organizer.auth).send({ status: 'declined', reason: 'price' }).expect(200);
    await shortlist(needs[0]!, b1!);
    await shortlist(needs[1]!, a4!);

    // Contracts: verified ones from this campaign count; unverified or other campaigns' do not.
    const seller = (inst: typeof a) => ({ kind: 'institution' as const, id: inst!.id, name: inst!.actor.name });
    await contract({ campaign, seller: seller(a), amount: 500_000, verified: true });
    await contract({ campaign, seller: seller(a), amount: 900_000, verified: false });
    await contract({ campaign: '0123456789abcdef01234567', seller: seller(a), amount: 700_000, verified: true });
    await contract({ campaign, seller: seller(b), amount: 300_000, verified: true });
    await contract({ campaign, seller: { kind: 'expert', id: '0123456789abcdef01234568', name: '某专家' }, amount: 100_000, verified: true });

    const res = await request(app).get(`/api/v1/campaigns/${campaign}`).expect(200);
    const { funnel, goals, events } = res.body.progress;
    const row = (inst: typeof a) => funnel.rows.find((r: { institution: { id: string } }) => r.institution.id === inst!.id);
    expect(funnel.rows.map((r: { institution: { id: string } }) => r.institution.id)).toEqual([a!.id, b!.id, c!.id, d!.id]);
    expect(row(a)).toMatchObject({ listed: true, results: 3, matched: 1, contracts: 1, amount: 500_000 });
    expect(row(a).contactedOn).toBe('2026-03-01');
    expect(row(b)).toMatchObject({ listed: true, results: 1, matched: 1, contracts: 1, amount: 300_000 });
    expect(row(c)).toMatchObject({ listed: false, results: 1, matched: 0, contracts: 0 });
    expect(row(d)).toMatchObject({ listed: true, results: 0, matched: 0, contracts: 0 });
    expect(row(d).contactedOn).toBeUndefined();
    expect(funnel.totals).toEqual({ institutions: 4, contacted: 2, results: 5, matched: 2, contracts: 2, amount: 800_000 });
    expect(goals).toEqual([
      { key: 'universities', label: '对接高校院所', unit: '所', target: 3, actual: 2, percent: 67 },
      { key: 'results', label: '征集科技成果', unit: '项', target: 10, actual: 5, percent: 50 },
      { key: 'matches', label: '成果对接', unit: '项', target: 4, actual: 2, percent: 50 },
      { key: 'contracts', label: '签约技术合同', unit: '份', target: 2, actual: 3, percent: 100 },
    ]);
    expect(events).toMatchObject({ contracts: 3, amount: 900_000 });

    // The page shows the same figures, to anyone.
    const page = await request(app).get(`/campaigns/${campaign}`).expect(200);
    expect(page.text).toContain('已联系 2 所');
    expect(page.text).toContain('甲大学');
    expect(page.text).toMatch(/<span class="goal-figure">2<\/span> \/ 3 所/);
    // Taking a university off the campaign leaves its results in the funnel, unlisted.
    await request(app).delete(`/api/v1/campaigns/${campaign}/institutions/${b!.id}`).set(organizer.auth).expect(200);
    const after = await request(app).get(`/api/v1/campaigns/${campaign}`).expect(200);
    expect(after.body.progress.funnel.totals).toMatchObject({ institutions: 4, contacted: 1 });
  });
});

describe('专家东宝行 and roadshow figures', () => {
  it('when visits are held and reported and roadshows filled, then experts, visits, enterprises, problems, follow-ups and attendance match the hand count', async () => {
    const campaign = await makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '专家东宝行（统计测试）', goals: { experts: 10, enterprises: 4 } });
    const [e1, e2] = await Promise.all([owner('expert'), owner('expert')]);
    const [f1, f2, f3] = await Promise.all([owner('enterprise'), owner('enterprise'), owner('enterprise')]);
    const visit = (expert: typeof e1, stops: { enterprise: string; startsAt: string; minutes: number }[]) =>
      request(app).post('/api/v1/visits').set(organizer.auth).send({ campaign, expert: expert.id, stops }).expect(201);
    // e1: two past stops, one reported with two problems.
    const v1 = (await visit(e1, [{ enterprise: f1.id, startsAt: at(-2, 0, '09:00'), minutes: 60 }, { enterprise: f2.id, startsAt: at(-2, 0, '14:00'), minutes: 60 }])).body;
    await request(app).post(`/api/v1/visits/${v1.id}/report`).set(e1.auth).send({ stop: v1.stops[0].id, problems: ['问题一', '问题二'] }).expect(200);
    // e2: a past stop reported with one problem and followed up; a future stop (not held yet).
    const v2 = (await visit(e2, [{ enterprise: f3.id, startsAt: at(-1, 2, '09:00'), minutes: 60 }, { enterprise: f1.id, startsAt: at(3, 2, '09:00'), minutes: 60 }])).body;
    await request(app).post(`/api/v1/visits/${v2.id}/report`).set(organizer.auth).send({ stop: v2.stops[0].id, problems: ['生产线能耗偏高，需要节能改造方案'] }).expect(200);
    await request(app).post(`/api/v1/visits/${v2.id}/followups`).set(organizer.auth).send({ stop: v2.stops[0].id, problem: 0 }).expect(201);

    // Roadshows of the campaign: one held (an intention recorded), one to come with 2 seats, 3 sign-ups, 1 check-in.
    const held = (await request(app).post('/api/v1/roadshows').set(organizer.auth).send(roadshowBody(campaign, { startsAt: at(-1, 4, '09:00'), endsAt: at(-1, 4, '11:00') })).expect(201)).body;
    await request(app).post(`/api/v1/roadshows/${held.id}/outcomes`).set(organizer.auth).send({ kind: 'intention', enterprise: f1.id, note: '有意合作' }).expect(201);
    // (It comes before e2's future stop, so the clock can reach its door without that stop being held.)
    const coming = (await request(app).post('/api/v1/roadshows').set(organizer.auth).send(roadshowBody(campaign, { capacity: 2, startsAt: at(2, 4, '09:00'), endsAt: at(2, 4, '11:00') })).expect(201)).body;
    const codes: string[] = [];
    for (const f of [f1, f2, f3]) codes.push((await request(app).post(`/api/v1/roadshows/${coming.id}/registrations`).set(f.auth).send({}).expect(201)).body.code);
    // Check-in opens two hours before the start: the door, an hour before.
    advanceClock(Date.parse(utc(at(2, 4, '09:00'))) - 3_600_000 - clock.ms());
    await request(app).post(`/api/v1/roadshows/${coming.id}/checkin`).set(organizer.auth).send({ code: codes[0] }).expect(200);

    const { progress } = (await request(app).get(`/api/v1/campaigns/${campaign}`).expect(200)).body;
    expect(progress.visits).toEqual({ itineraries: 2, experts: 2, visits: 3, enterprises: 3, problems: 3, followUps: 1 });
    expect(progress.events).toMatchObject({ roadshows: 2, held: 1, registrations: 2, checkedIn: 1, intentions: 1, contracts: 0 });
    expect(progress.goals).toEqual([
      { key: 'experts', label: '参与专家', unit: '人', target: 10, actual: 2, percent: 20 },
      { key: 'enterprises', label: '服务企业', unit: '家', target: 4, actual: 3, percent: 75 },
    ]);
    // A campaign with roadshows and visits cannot be deleted.
    const removal = await request(app).delete(`/api/v1/campaigns/${campaign}`).set(organizer.auth);
    expect(removal.status).toBe(409);
    expect(removal.body.detail).toContain('2 场路演、2 个走访行程');
  });
});

describe('campaign input', () => {
  it('when a campaign is created with bad fields, then 400 names each; a good one is listed for everyone', async () => {
    const bad = await request(app)
      .post('/api/v1/campaigns')
      .set(organizer.auth)
      .send({ kind: 'party', name: '', startsOn: '2026-12-31', endsOn: '2026-01-01', goals: { results: -1, universities: 'many' }, institutions: [{ institution: '0123456789abcdef01234567' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toMatchObject({ kind: expect.stringMatching(/^请选择活动类型。可选值：hundred-universities, /), name: '请填写活动名称。' });
    expect(bad.body.allowed).toEqual({ kind: expect.arrayContaining(['hundred-universities', 'expert-visit']) });
    expect(bad.body.errors['goals.results']).toContain('不能小于 0');
    expect(bad.body.errors['goals.universities']).toBeDefined();
    const order = await request(app).post('/api/v1/campaigns').set(organizer.auth).send({ kind: 'fair', name: '技术交易会', startsOn: '2026-12-31', endsOn: '2026-01-01' });
    expect(order.body.errors.endsOn).toBe('结束日期不能早于开始日期。');
    const unknown = await request(app).post('/api/v1/campaigns').set(organizer.auth).send({ kind: 'fair', name: '技术交易会', startsOn: '2026-01-01', endsOn: '2026-12-31', institutions: [{ institution: '0123456789abcdef01234567' }] });
    expect(unknown.body.errors['institutions.0.institution']).toBe('所选高校院所不存在。');
    const extra = await request(app).post('/api/v1/campaigns').set(organizer.auth).send({ kind: 'fair', name: '技术交易会', startsOn: '2026-01-01', endsOn: '2026-12-31', createdBy: 'x' });
    expect(extra.status).toBe(400);

    const made = await request(app).post('/api/v1/campaigns').set(organizer.auth).send({ kind: 'fair', name: '东宝区技术交易会', startsOn: '2026-09-01', endsOn: '2026-09-30', goals: { contracts: 20 } }).expect(201);
    expect(made.body).toMatchObject({ kind: 'fair', startsOn: '2026-09-01', goals: { contracts: 20 } });
    const list = await request(app).get('/api/v1/campaigns').query({ kind: 'fair' }).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 20, items: [expect.objectContaining({ name: '东宝区技术交易会' })] });
    await request(app).patch(`/api/v1/campaigns/${made.body.id}`).set(organizer.auth).send({ endsOn: '2026-08-01' }).expect(400);
    await request(app).patch(`/api/v1/campaigns/${made.body.id}`).set(organizer.auth).send({ name: '2026东宝区技术交易会' }).expect(200);
    await request(app).delete(`/api/v1/campaigns/${made.body.id}`).set(organizer.auth).expect(204);
    expect((await request(app).get(`/api/v1/campaigns/${made.body.id}`)).status).toBe(404);
  });

  it('when the campaign form is posted with errors, then the form comes back with each message next to its field', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const form = await agent.get('/campaigns/new').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const res = await agent.post('/campaigns').type('form').send({ _csrf: csrf, kind: 'hundred-universities', name: '联百校转千果', startsOn: '2026-12-31', endsOn: '2026-01-01', 'goals.results': '-5' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="e-endsOn" class="field-error">结束日期不能早于开始日期。/);
    expect(res.text).toMatch(/id="e-goals.results" class="field-error">征集科技成果目标不能小于 0。/);
    expect(res.text).toContain('value="联百校转千果"');
    const ok = await agent.post('/campaigns').type('form').send({ _csrf: csrf, kind: 'hundred-universities', name: '联百校转千果', startsOn: '2026-01-01', endsOn: '2026-12-31', 'goals.results': '1000', 'goals.universities': '100' });
    expect(ok.status).toBe(303);
    const shown = await agent.get(ok.headers.location!).expect(200);
    expect(shown.text).toContain('征集科技成果');
    expect(shown.text).toContain('/ 1,000 项');
  });
});
