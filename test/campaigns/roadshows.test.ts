// Issue 7: roadshows planned without clashes — every conflict rule through the API, and the cases that must not
// clash (back-to-back slots, different venues, one expert in two events that do not overlap); permissions and
// field errors; sign-up with capacity and a waitlist that moves up; check-in by code; outcomes into the pipeline.
// Issue 15: check-in only from two hours before the start until the end, unless an organizer gives a reason.
import { DateTime } from 'luxon';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { advanceClock } from '../support/clock.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Audit } from '../../server/audit/model.ts';
import { clock } from '../../server/platform/clock.ts';
import { at, makeCampaign, roadshowBody, utc, venue, ZONE } from './support.ts';

const { app } = buildTestApp();

let organizer: Awaited<ReturnType<typeof apiToken>>;
let inst: Awaited<ReturnType<typeof owner>>;
let ent: Awaited<ReturnType<typeof owner>>;
let lead: Awaited<ReturnType<typeof owner>>;
let speaker: Awaited<ReturnType<typeof owner>>;
let campaign: string;
let ledResult: string;
let plainResult: string;
let demand: string;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  inst = await owner('institution');
  ent = await owner('enterprise');
  lead = await owner('expert', { name: '王磷化' });
  speaker = await owner('expert', { name: '严柔电' });
  ledResult = (await resultOf(inst.actor, { title: '磷石膏制备高强石膏成套技术', leadExpert: lead.id })).id;
  plainResult = (await resultOf(inst.actor, { title: '湿法磷酸净化技术' })).id;
  demand = (await demandOf(ent.actor, { title: '磷石膏综合利用技术攻关' })).id;
  campaign = await makeCampaign(app, organizer.auth, { name: '联百校转千果（测试）' });
});

const post = (body: object, auth = organizer.auth) => request(app).post('/api/v1/roadshows').set(auth).send(body);

describe('planning a roadshow', () => {
  it('when slots are back to back, then the roadshow is saved with its agenda in order, presenters resolved, in Beijing time', async () => {
    const res = await post(
      roadshowBody(campaign, {
        title: '磷化工与新材料专场',
        startsAt: at(4, 0, '09:00'),
        endsAt: at(4, 0, '12:00'),
        slots: [
          { kind: 'result', ref: ledResult, startsAt: at(4, 0, '09:30'), minutes: 30 },
          { kind: 'expert', ref: speaker.id, startsAt: at(4, 0, '09:00'), minutes: 30 },
          { kind: 'demand', ref: demand, startsAt: at(4, 0, '10:00'), minutes: 20, presenter: '张建国' },
          { kind: 'result', ref: plainResult, startsAt: at(4, 0, '10:20'), minutes: 40, presenter: '李工' },
        ],
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.startsAt).toBe(utc(at(4, 0, '09:00')));
    expect(res.body.slots.map((s: { kind: string; presenter: string }) => [s.kind, s.presenter])).toEqual([
      ['expert', '严柔电'],
      ['result', '王磷化'],
      ['demand', '张建国'],
      ['result', '李工'],
    ]);
    expect(res.body.slots[3].endsAt).toBe(utc(at(4, 0, '11:00')));
    // Everyone reads it.
    const shown = await request(app).get(`/api/v1/roadshows/${res.body.id}`).expect(200);
    expect(shown.body).toMatchObject({ title: '磷化工与新材料专场', capacity: 50, seats: { confirmed: 0, remaining: 50 } });
    expect(shown.body.registrations).toBeUndefined();
  });

  it('when a slot overruns the session and two slots overlap, then 409 names both, next to their fields', async () => {
    const res = await post(
      roadshowBody(campaign, {
        startsAt: at(5, 0, '09:00'),
        endsAt: at(5, 0, '12:00'),
        slots: [
          { kind: 'expert', ref: speaker.id, startsAt: at(5, 0, '09:00'), minutes: 30 },
          { kind: 'demand', ref: demand, startsAt: at(5, 0, '09:20'), minutes: 30 },
          { kind: 'result', ref: ledResult, startsAt: at(5, 0, '11:40'), minutes: 30 },
        ],
      }),
    );
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toContain('第 3 项“磷石膏制备高强石膏成套技术”');
    expect(res.body.detail).toContain('超出路演时间');
    expect(res.body.detail).toContain('第 2 项“磷石膏综合利用技术攻关”');
    expect(res.body.detail).toContain('时间重叠');
    expect(res.body.errors['slots.2.startsAt']).toContain('超出路演时间');
    expect(res.body.errors['slots.1.startsAt']).toContain('与第 1 项');
  });

  it('when two events share a venue at overlapping times, then 409 names the venue and the other event; back-to-back or elsewhere is fine', async () => {
    const hall = venue('一号厅');
    const first = await post(roadshowBody(campaign, { title: '电子信息专场', venue: hall, startsAt: at(6, 1, '09:00'), endsAt: at(6, 1, '12:00') })).expect(201);
    const same = await post(roadshowBody(campaign, { venue: `  ${hall.replace(' ', '   ')} `, startsAt: at(6, 1, '11:00'), endsAt: at(6, 1, '13:00') }));
    expect(same.status).toBe(409);
    expect(same.body.detail).toContain(`场地“${hall}”`);
    expect(same.body.detail).toContain('已有“电子信息专场”');
    expect(same.body.errors.venue).toBeDefined();
    await post(roadshowBody(campaign, { venue: hall, startsAt: at(6, 1, '12:00'), endsAt: at(6, 1, '14:00') })).expect(201);
    await post(roadshowBody(campaign, { venue: venue('二号厅'), startsAt: at(6, 1, '09:00'), endsAt: at(6, 1, '12:00') })).expect(201);
    // Editing the first roadshow does not clash with itself.
    await request(app).patch(`/api/v1/roadshows/${first.body.id}`).set(organizer.auth).send({ title: '电子信息专场（上午）' }).expect(200);
  });

  it('when an expert would present in two roadshows at overlapping times, then 409 names the expert and the other roadshow', async () => {
    const expert = await owner('expert', { name: '周双场' });
    await post(
      roadshowBody(campaign, { title: '智能制造专场', startsAt: at(7, 2, '09:00'), endsAt: at(7, 2, '12:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(7, 2, '10:00'), minutes: 30 }] }),
    ).expect(201);
    const clash = await post(
      roadshowBody(campaign, { startsAt: at(7, 2, '09:00'), endsAt: at(7, 2, '12:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(7, 2, '10:15'), minutes: 30 }] }),
    );
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain('专家周双场');
    expect(clash.body.detail).toContain('路演“智能制造专场”第 1 项');
    expect(clash.body.errors['slots.0.ref']).toContain('时间冲突');
    // The same expert right after the first talk, in another room: fine.
    await post(
      roadshowBody(campaign, { startsAt: at(7, 2, '09:00'), endsAt: at(7, 2, '12:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(7, 2, '10:30'), minutes: 30 }] }),
    ).expect(201);
  });

  it("when a result's lead expert is booked elsewhere, then presenting the result clashes; a named presenter clashes by name", async () => {
    await post(
      roadshowBody(campaign, {
        startsAt: at(8, 3, '14:00'),
        endsAt: at(8, 3, '17:00'),
        slots: [
          { kind: 'expert', ref: lead.id, startsAt: at(8, 3, '14:00'), minutes: 30 },
          { kind: 'demand', ref: demand, startsAt: at(8, 3, '15:00'), minutes: 30, presenter: '张建国' },
        ],
      }),
    ).expect(201);
    const viaResult = await post(
      roadshowBody(campaign, { startsAt: at(8, 3, '14:00'), endsAt: at(8, 3, '17:00'), slots: [{ kind: 'result', ref: ledResult, startsAt: at(8, 3, '14:10'), minutes: 20, presenter: '别人' }] }),
    );
    expect(viaResult.status).toBe(409);
    expect(viaResult.body.detail).toContain('专家王磷化');
    const byName = await post(
      roadshowBody(campaign, { startsAt: at(8, 3, '14:00'), endsAt: at(8, 3, '17:00'), slots: [{ kind: 'result', ref: plainResult, startsAt: at(8, 3, '15:20'), minutes: 20, presenter: '张 建国' }] }),
    );
    expect(byName.status).toBe(409);
    expect(byName.body.detail).toContain('主讲人张 建国');
  });

  it('when the expert is on a 专家东宝行 visit, then a slot at that time clashes; right after the visit it does not', async () => {
    const visiting = await campaign2();
    const expert = await owner('expert', { name: '吴走访' });
    const host = await owner('enterprise', { name: '荆门某磷化企业' });
    await request(app)
      .post('/api/v1/visits')
      .set(organizer.auth)
      .send({ campaign: visiting, expert: expert.id, stops: [{ enterprise: host.id, startsAt: at(9, 1, '09:00'), minutes: 120 }] })
      .expect(201);
    const clash = await post(
      roadshowBody(campaign, { startsAt: at(9, 1, '09:00'), endsAt: at(9, 1, '12:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(9, 1, '10:30'), minutes: 30 }] }),
    );
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain('专家吴走访');
    expect(clash.body.detail).toContain('专家东宝行走访“荆门某磷化企业”');
    await post(
      roadshowBody(campaign, { startsAt: at(9, 1, '09:00'), endsAt: at(9, 1, '12:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(9, 1, '11:00'), minutes: 30 }] }),
    ).expect(201);
  });

  it('when an edit moves a roadshow into a taken venue, then it is refused and nothing changes', async () => {
    const hall = venue('三号厅');
    await post(roadshowBody(campaign, { title: '绿色建材专场', venue: hall, startsAt: at(10, 0, '14:00'), endsAt: at(10, 0, '17:00') })).expect(201);
    const other = await post(roadshowBody(campaign, { venue: venue('四号厅'), startsAt: at(10, 0, '14:00'), endsAt: at(10, 0, '17:00') })).expect(201);
    const moved = await request(app).patch(`/api/v1/roadshows/${other.body.id}`).set(organizer.auth).send({ venue: hall });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toContain('绿色建材专场');
    expect((await request(app).get(`/api/v1/roadshows/${other.body.id}`)).body.venue).not.toBe(hall);
  });

  it('when two organizers book one venue at the same moment, then exactly one of them gets it', async () => {
    const hall = venue('五号厅');
    const body = () => roadshowBody(campaign, { venue: hall, startsAt: at(11, 0, '09:00'), endsAt: at(11, 0, '12:00') });
    const results = await Promise.all([post(body()), post(body()), post(body())]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('when the input is malformed, then 400 problem+json names each field', async () => {
    const res = await post({
      campaign,
      venue: '东宝工业园',
      startsAt: '明天上午',
      endsAt: at(12, 0, '12:00'),
      capacity: 0,
      slots: [{ kind: 'video', ref: 'nope', startsAt: at(12, 0, '09:00'), minutes: 2 }],
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(res.body.errors)).toEqual(expect.arrayContaining(['title', 'startsAt', 'capacity', 'slots.0.kind', 'slots.0.ref', 'slots.0.minutes']));
    expect(res.body.errors.startsAt).toContain('格式应为');
    const order = await post(roadshowBody(campaign, { startsAt: at(12, 0, '12:00'), endsAt: at(12, 0, '09:00') }));
    expect(order.body.errors.endsAt).toBe('结束时间应晚于开始时间。');
    const unknown = await post(roadshowBody('0123456789abcdef01234567', { startsAt: at(12, 0, '09:00'), endsAt: at(12, 0, '12:00') }));
    expect(unknown.body.errors.campaign).toBe('所选活动不存在。');
    const outside = await post(roadshowBody(campaign, { startsAt: at(200, 0, '09:00'), endsAt: at(200, 0, '12:00') }));
    expect(outside.body.errors.startsAt).toContain('活动“联百校转千果（测试）”期间');
    const noPresenter = await post(
      roadshowBody(campaign, { startsAt: at(12, 0, '09:00'), endsAt: at(12, 0, '12:00'), slots: [{ kind: 'result', ref: plainResult, startsAt: at(12, 0, '09:00'), minutes: 30 }] }),
    );
    expect(noPresenter.body.errors['slots.0.presenter']).toBe('该成果没有登记负责人，请填写主讲人。');
    const missing = await post(
      roadshowBody(campaign, { startsAt: at(12, 0, '09:00'), endsAt: at(12, 0, '12:00'), slots: [{ kind: 'expert', ref: plainResult, startsAt: at(12, 0, '09:00'), minutes: 30 }] }),
    );
    expect(missing.body.errors['slots.0.ref']).toBe('所选专家不存在。');
    const extra = await post({ ...roadshowBody(campaign, { startsAt: at(12, 0, '09:00'), endsAt: at(12, 0, '12:00') }), createdBy: 'me' });
    expect(extra.status).toBe(400);
  });

  it('when someone other than an organizer creates or changes campaigns and roadshows, then 403 (401 without a token)', async () => {
    const body = roadshowBody(campaign, { startsAt: at(13, 0, '09:00'), endsAt: at(13, 0, '12:00') });
    for (const role of ['enterprise', 'institution', 'expert', 'broker'] as const) {
      const { auth } = await apiToken(role);
      expect((await request(app).post('/api/v1/campaigns').set(auth).send({ kind: 'fair', name: '技术交易会', startsOn: '2026-01-01', endsOn: '2026-12-31' })).status).toBe(403);
      expect((await post(body, auth)).status).toBe(403);
    }
    const rs = await post(body).expect(201);
    expect((await request(app).patch(`/api/v1/roadshows/${rs.body.id}`).set(ent.auth).send({ title: '改名' })).status).toBe(403);
    expect((await request(app).delete(`/api/v1/roadshows/${rs.body.id}`).set(ent.auth)).status).toBe(403);
    expect((await request(app).patch(`/api/v1/campaigns/${campaign}`).set(ent.auth).send({ name: '改名' })).status).toBe(403);
    expect((await request(app).post('/api/v1/roadshows').send(body)).status).toBe(401);
  });
});

async function campaign2(): Promise<string> {
  return makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '专家东宝行（路演测试）' });
}

describe('sign-up, waitlist and check-in', () => {
  let roadshow: string;
  const enterprises: Awaited<ReturnType<typeof owner>>[] = [];
  const reg = (auth: Record<string, string>, body: object = {}) => request(app).post(`/api/v1/roadshows/${roadshow}/registrations`).set(auth).send(body);

  beforeAll(async () => {
    roadshow = (await post(roadshowBody(campaign, { capacity: 2, startsAt: at(14, 0, '09:00'), endsAt: at(14, 0, '12:00') })).expect(201)).body.id;
    for (let i = 0; i < 4; i++) enterprises.push(await owner('enterprise', { name: `报名企业${i + 1}` }));
  });

  it('when more enterprises register than there are seats, then the rest wait in order and move up when someone cancels', async () => {
    const [a, b, c, d] = enterprises as [typeof ent, typeof ent, typeof ent, typeof ent];
    const first = await reg(a.auth, { attendee: '刘经理' }).expect(201);
    expect(first.body).toMatchObject({ status: 'confirmed', enterprise: { id: a.id }, attendee: '刘经理' });
    expect(first.body.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTWXYZ]{6}$/);
    await reg(b.auth).expect(201);
    const third = await reg(c.auth).expect(201);
    expect(third.body).toMatchObject({ status: 'waitlisted', position: 1 });
    expect((await reg(d.auth).expect(201)).body.position).toBe(2);
    const again = await reg(a.auth);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('已报名该路演');

    const cancelled = await request(app).delete(`/api/v1/roadshows/${roadshow}/registrations/${first.body.id}`).set(a.auth).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    const shown = await request(app).get(`/api/v1/roadshows/${roadshow}`).expect(200);
    expect(shown.body.seats).toMatchObject({ confirmed: 2, waitlisted: 1, remaining: 0 });
    const mine = await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(c.auth).expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ status: 'confirmed', code: third.body.code })]);
    expect((await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(d.auth)).body.items[0]).toMatchObject({ status: 'waitlisted', position: 1 });
    const notes = await request(app).get('/api/v1/notifications').set(c.auth).expect(200);
    expect(notes.body.items.some((n: { title: string; body: string }) => n.title.includes('候补已转为正式报名') && n.body.includes(third.body.code))).toBe(true);
    // Cancelling again is refused; the organizer sees every registration.
    expect((await request(app).delete(`/api/v1/roadshows/${roadshow}/registrations/${first.body.id}`).set(a.auth)).status).toBe(409);
    expect((await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(organizer.auth)).body.items).toHaveLength(4);
  });

  it('when an enterprise registers another enterprise or cancels its registration, then it is refused; organizers may register any enterprise', async () => {
    const [a, b] = enterprises as [typeof ent, typeof ent];
    expect((await reg(a.auth, { enterprise: b.id })).status).toBe(403);
    expect((await reg(lead.auth)).status).toBe(403);
    const noEnterprise = await reg(organizer.auth);
    expect(noEnterprise.status).toBe(400);
    expect(noEnterprise.body.errors.enterprise).toBe('请选择报名企业。');
    const walkIn = await owner('enterprise', { name: '现场报名企业' });
    const byOrganizer = await reg(organizer.auth, { enterprise: walkIn.id }).expect(201);
    expect(byOrganizer.body.status).toBe('waitlisted');
    const theirs = (await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(b.auth)).body.items[0];
    expect((await request(app).delete(`/api/v1/roadshows/${roadshow}/registrations/${theirs.id}`).set(a.auth)).status).toBe(404);
    expect((await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(inst.auth)).status).toBe(403);
    expect((await request(app).post(`/api/v1/roadshows/${roadshow}/registrations`).send({})).status).toBe(401);
  });

  it('when codes are checked in at the door, then a good code passes once and wrong, used, waitlisted or cancelled codes are told apart', async () => {
    const items = (await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(organizer.auth)).body.items as { code: string; status: string; enterprise: { name: string } }[];
    const confirmed = items.find((g) => g.status === 'confirmed')!;
    const waiting = items.find((g) => g.status === 'waitlisted')!;
    const cancelled = items.find((g) => g.status === 'cancelled')!;
    const checkin = (code: string, auth = organizer.auth) => request(app).post(`/api/v1/roadshows/${roadshow}/checkin`).set(auth).send({ code });
    // The door: an hour before the 09:00 start, inside the check-in window (it opens two hours before).
    advanceClock(Date.parse(utc(at(14, 0, '09:00'))) - 3_600_000 - clock.ms());

    const spaced = `${confirmed.code.slice(0, 3).toLowerCase()} ${confirmed.code.slice(3).toLowerCase()}`;
    const ok = await checkin(spaced).expect(200);
    expect(ok.body.checkedInAt).toBeTruthy();
    const used = await checkin(confirmed.code);
    expect(used.status).toBe(409);
    expect(used.body.detail).toMatch(new RegExp(`签到码 ${confirmed.code} 已于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 签到（${confirmed.enterprise.name}），不能重复使用`));
    expect(used.body.errors.code).toBe(used.body.detail);
    const unknown = [...'23456789'].map((c) => c.repeat(6)).find((c) => !items.some((g) => g.code === c))!;
    const wrong = await checkin(unknown);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.code).toBe(`签到码 ${unknown} 不是本场路演的报名码，请核对后重新输入。`);
    expect((await checkin('O0I1')).body.errors.code).toContain('签到码应为 6 位');
    expect((await checkin(waiting.code)).body.detail).toContain('仍在候补名单中');
    expect((await checkin(cancelled.code)).body.detail).toContain('报名已取消');
    expect((await checkin(confirmed.code, enterprises[1]!.auth)).status).toBe(403);
    expect((await request(app).get(`/api/v1/roadshows/${roadshow}`)).body.seats.checkedIn).toBe(1);
  });

  it('when capacity grows, then the waitlist moves up; it cannot shrink below the confirmed; cancelling the roadshow tells the registrants', async () => {
    const small = (await post(roadshowBody(campaign, { capacity: 1, startsAt: at(16, 0, '09:00'), endsAt: at(16, 0, '12:00') })).expect(201)).body.id;
    const [a, b, c] = enterprises as [typeof ent, typeof ent, typeof ent];
    for (const e of [a, b, c]) await request(app).post(`/api/v1/roadshows/${small}/registrations`).set(e.auth).send({}).expect(201);
    const grown = await request(app).patch(`/api/v1/roadshows/${small}`).set(organizer.auth).send({ capacity: 2 }).expect(200);
    expect(grown.body.seats).toMatchObject({ confirmed: 2, waitlisted: 1 });
    expect((await request(app).get(`/api/v1/roadshows/${small}/registrations`).set(b.auth)).body.items[0].status).toBe('confirmed');
    const shrink = await request(app).patch(`/api/v1/roadshows/${small}`).set(organizer.auth).send({ capacity: 1 });
    expect(shrink.status).toBe(400);
    expect(shrink.body.errors.capacity).toBe('已有 2 家企业确认报名，容纳企业数不能少于 2。');
    await request(app).delete(`/api/v1/roadshows/${small}`).set(organizer.auth).expect(204);
    expect((await request(app).get(`/api/v1/roadshows/${small}`)).status).toBe(404);
    const notes = await request(app).get('/api/v1/notifications').set(c.auth).expect(200);
    expect(notes.body.items.some((n: { title: string }) => n.title.endsWith('已取消'))).toBe(true);
  });

  it('when a roadshow has begun, then enterprises can no longer register or cancel', async () => {
    const begun = (await post(roadshowBody(campaign, { startsAt: at(-1, 0, '09:00'), endsAt: at(-1, 0, '12:00') })).expect(201)).body.id;
    const late = await request(app).post(`/api/v1/roadshows/${begun}/registrations`).set(enterprises[0]!.auth).send({});
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('报名已截止');
  });
});

describe('outcomes', () => {
  it('when an intention links a need and a result, then the result enters the need’s broker pipeline, once', async () => {
    const held = (await post(roadshowBody(campaign, { startsAt: at(-2, 1, '09:00'), endsAt: at(-2, 1, '12:00') })).expect(201)).body.id;
    const body = { kind: 'intention', demand, candidate: { kind: 'result', id: ledResult }, note: '双方约定下月赴企业现场考察' };
    const first = await request(app).post(`/api/v1/roadshows/${held}/outcomes`).set(organizer.auth).send(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ kind: 'intention', enterprise: { id: ent.id }, demand: { id: demand }, candidate: { kind: 'result', id: ledResult } });
    expect(first.body.match).toMatch(/^[0-9a-f]{24}$/);
    const pipeline = await request(app).get(`/api/v1/demands/${demand}/pipeline`).set(organizer.auth).expect(200);
    expect(pipeline.body.matches).toEqual([expect.objectContaining({ id: first.body.match, candidate: expect.objectContaining({ id: ledResult }), status: 'shortlisted' })]);
    const again = await request(app).post(`/api/v1/roadshows/${held}/outcomes`).set(organizer.auth).send(body).expect(201);
    expect(again.body.match).toBe(first.body.match);

    const contract = await request(app).post(`/api/v1/roadshows/${held}/outcomes`).set(organizer.auth).send({ kind: 'contract', enterprise: ent.id, note: '签订技术开发合同' }).expect(201);
    expect(contract.body.contractLink).toBe(`/contracts/new?roadshow=${held}&campaign=${campaign}`);
    const listed = await request(app).get(`/api/v1/roadshows/${held}/outcomes`).set(organizer.auth).expect(200);
    expect(listed.body.items.map((o: { kind: string }) => o.kind)).toEqual(['intention', 'intention', 'contract']);

    const upcoming = (await post(roadshowBody(campaign, { startsAt: at(15, 0, '09:00'), endsAt: at(15, 0, '12:00') })).expect(201)).body.id;
    const early = await request(app).post(`/api/v1/roadshows/${upcoming}/outcomes`).set(organizer.auth).send(body);
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('尚未开始');
    expect((await request(app).post(`/api/v1/roadshows/${held}/outcomes`).set(ent.auth).send(body)).status).toBe(403);
    const empty = await request(app).post(`/api/v1/roadshows/${held}/outcomes`).set(organizer.auth).send({ kind: 'intention' });
    expect(empty.body.errors.note).toBeDefined();
  });
});

describe('the check-in window', () => {
  const HOUR = 3_600_000;
  /** A `datetime-local` value `ms` from now on the server's clock, in Beijing time. */
  const fromNow = (ms: number) => DateTime.fromMillis(clock.ms() + ms, { zone: ZONE }).startOf('minute').toFormat("yyyy-MM-dd'T'HH:mm");
  let roadshow: string;
  let startsAt: string;
  let endsAt: string;
  const codes: Record<'early' | 'needless' | 'late' | 'overridden', string> = { early: '', needless: '', late: '', overridden: '' };
  const checkin = (body: object) => request(app).post(`/api/v1/roadshows/${roadshow}/checkin`).set(organizer.auth).send(body);
  const registrations = async () =>
    (await request(app).get(`/api/v1/roadshows/${roadshow}/registrations`).set(organizer.auth).expect(200)).body.items as { code: string; checkedInAt?: string; checkInOverride?: { reason: string; byName: string } }[];
  const checkedIn = async () => (await request(app).get(`/api/v1/campaigns/${campaign}`).expect(200)).body.progress.events.checkedIn as number;

  beforeAll(async () => {
    // Starts three hours from now, for two hours.
    startsAt = fromNow(3 * HOUR);
    endsAt = fromNow(5 * HOUR);
    roadshow = (await post(roadshowBody(campaign, { title: '签到时间测试路演', startsAt, endsAt })).expect(201)).body.id;
    for (const key of Object.keys(codes) as (keyof typeof codes)[]) {
      const e = await owner('enterprise', { name: `签到时间测试企业-${key}` });
      codes[key] = (await request(app).post(`/api/v1/roadshows/${roadshow}/registrations`).set(e.auth).send({}).expect(201)).body.code;
    }
  });

  it('when a code is checked in before the window opens (3 hours before the start), then 409 says when it opens and nothing is recorded', async () => {
    const before = await checkedIn();
    const shown = (await request(app).get(`/api/v1/roadshows/${roadshow}`).expect(200)).body;
    expect(shown.checkin).toEqual({ opensAt: new Date(Date.parse(utc(startsAt)) - 2 * HOUR).toISOString(), closesAt: utc(endsAt), state: 'early' });

    const early = await checkin({ code: codes.early });
    expect(early.status).toBe(409);
    expect(early.headers['content-type']).toContain('application/problem+json');
    const opens = DateTime.fromISO(startsAt, { zone: ZONE }).minus({ hours: 2 }).toFormat('yyyy-MM-dd HH:mm');
    expect(early.body.detail).toBe(
      `签到尚未开放：路演“签到时间测试路演”于 ${startsAt.replace('T', ' ')} 开始，开始前 2 小时（${opens}）起可以签到，本次未记录签到。确需提前签到，请填写补签原因。`,
    );
    expect(early.body.errors.code).toBe(early.body.detail);
    // An override needs a reason that says something.
    const blank = await checkin({ code: codes.early, override: { reason: ' ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.errors['override.reason']).toBe('请填写补签原因。');
    expect((await registrations()).every((g) => !g.checkedInAt)).toBe(true);
    expect(await checkedIn()).toBe(before);
  });

  it('when the window has opened, then a code is checked in without a reason, and a reason given anyway is not recorded as an override', async () => {
    advanceClock(Date.parse(utc(startsAt)) - 2 * HOUR + 60_000 - clock.ms()); // a minute after it opens
    expect((await request(app).get(`/api/v1/roadshows/${roadshow}`).expect(200)).body.checkin.state).toBe('open');
    const ok = await checkin({ code: codes.early }).expect(200);
    expect(ok.body.checkedInAt).toBeTruthy();
    expect(ok.body.checkInOverride).toBeUndefined();
    const needless = await checkin({ code: codes.needless, override: { reason: '提前到场' } }).expect(200);
    expect(needless.body.checkedInAt).toBeTruthy();
    expect(needless.body.checkInOverride).toBeUndefined();
    expect(await Audit.countDocuments({ action: 'roadshow.checkin.override', targetId: roadshow })).toBe(0);
  });

  it('when a code is checked in after the end, then 409 says check-in has closed and nothing is recorded', async () => {
    const before = await checkedIn();
    advanceClock(Date.parse(utc(endsAt)) + 60_000 - clock.ms()); // a minute after the end
    const late = await checkin({ code: codes.late });
    expect(late.status).toBe(409);
    expect(late.body.detail).toBe(`签到已关闭：路演“签到时间测试路演”已于 ${endsAt.replace('T', ' ')} 结束，本次未记录签到。确需补签，请填写补签原因。`);
    expect(late.body.errors.code).toBe(late.body.detail);
    expect((await registrations()).find((g) => g.code === codes.late)?.checkedInAt).toBeUndefined();
    expect(await checkedIn()).toBe(before);
  });

  it('when an organizer overrides the window with a reason, then the check-in is recorded with the reason, audited, and counts on the campaign', async () => {
    const before = await checkedIn();
    const reason = '路演延时，企业代表散场后补签';
    const res = await checkin({ code: codes.overridden, override: { reason } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.checkedInAt).toBeTruthy();
    expect(res.body.checkInOverride).toEqual({ reason, byName: organizer.user.name });
    expect((await registrations()).find((g) => g.code === codes.overridden)?.checkInOverride).toEqual({ reason, byName: organizer.user.name });
    const entries = await Audit.find({ action: 'roadshow.checkin.override', targetId: roadshow }).lean();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: organizer.user.id, targetKind: 'roadshow', targetLabel: '签到时间测试路演' });
    expect(entries[0]!.detail).toBe(`签到码 ${codes.overridden}（签到时间测试企业-overridden）路演结束后补签：${reason}`);
    expect(await checkedIn()).toBe(before + 1);
    // The override does not reopen the door for a code already used.
    const again = await checkin({ code: codes.overridden, override: { reason } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('不能重复使用');
  });
});
