// Issue 7: iCalendar (a roadshow's .ics and the personal feed behind a secret address), the calendar page by
// week and by month, the printable agenda, check-in at the door, and the plan forms showing errors by the field.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { owner, resultOf } from '../support/directory.ts';
import { advanceClock } from '../support/clock.ts';
import { clock } from '../../server/platform/clock.ts';
import { at, decoded, icsLines, icsLocal, makeCampaign, monday, roadshowBody, utc, venue } from './support.ts';

const { app } = buildTestApp();

let organizer: Awaited<ReturnType<typeof apiToken>>;
let ent: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
let campaign: string;
let visits: string;
let roadshow: { id: string; title: string };
let visit: { id: string; stops: { id: string }[] };
const WEEK = 6;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  ent = await owner('enterprise', { name: '东宝区日历测试企业' });
  expert = await owner('expert', { name: '林日程' });
  const inst = await owner('institution');
  const result = await resultOf(inst.actor, { title: '柔性线路板激光直写技术', leadExpert: expert.id });
  campaign = await makeCampaign(app, organizer.auth, { name: '联百校转千果（日历测试）' });
  visits = await makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '专家东宝行（日历测试）' });
  roadshow = (
    await request(app)
      .post('/api/v1/roadshows')
      .set(organizer.auth)
      .send(
        roadshowBody(campaign, {
          title: '电子信息专场',
          venue: '东宝工业园 科技服务中心路演厅',
          startsAt: at(WEEK, 2, '09:00'),
          endsAt: at(WEEK, 2, '11:30'),
          slots: [
            { kind: 'result', ref: result.id, startsAt: at(WEEK, 2, '09:00'), minutes: 30 },
            { kind: 'expert', ref: (await owner('expert', { name: '严柔电' })).id, startsAt: at(WEEK, 2, '09:30'), minutes: 40 },
          ],
        }),
      )
      .expect(201)
  ).body;
  await request(app).post(`/api/v1/roadshows/${roadshow.id}/registrations`).set(ent.auth).send({}).expect(201);
  visit = (
    await request(app)
      .post('/api/v1/visits')
      .set(organizer.auth)
      .send({ campaign: visits, expert: expert.id, stops: [{ enterprise: ent.id, startsAt: at(WEEK, 3, '14:00'), minutes: 90 }] })
      .expect(201)
  ).body;
});

describe('iCalendar', () => {
  it('when a roadshow’s .ics is fetched, then it has one event in Asia/Shanghai with the agenda, and its UID stays the same after an edit', async () => {
    const res = await request(app).get(`/roadshows/${roadshow.id}.ics`).expect(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    expect(res.headers['content-disposition']).toContain('attachment');
    const lines = icsLines(res.text);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(lines).toContain('TZID:Asia/Shanghai');
    expect(lines).toContain('TZOFFSETTO:+0800');
    expect(lines).toContain(`DTSTART;TZID=Asia/Shanghai:${icsLocal(at(WEEK, 2, '09:00'))}`);
    expect(lines).toContain(`DTEND;TZID=Asia/Shanghai:${icsLocal(at(WEEK, 2, '11:30'))}`);
    expect(lines).toContain('SUMMARY:项目路演：电子信息专场');
    expect(lines).toContain('LOCATION:东宝工业园 科技服务中心路演厅');
    const uid = lines.find((l) => l.startsWith('UID:'));
    expect(uid).toBe(`UID:roadshow-${roadshow.id}@techbridge.dongbao`);
    const description = lines.find((l) => l.startsWith('DESCRIPTION:'))!;
    expect(description).toContain('09:00–09:30 成果路演：柔性线路板激光直写技术（主讲：林日程）');
    expect(description).toContain('09:30–10:10 专家报告：严柔电');
    expect(lines.find((l) => l.startsWith('DTSTAMP:'))).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    expect(lines.find((l) => l.startsWith('URL'))).toContain(`/roadshows/${roadshow.id}`);

    await request(app).patch(`/api/v1/roadshows/${roadshow.id}`).set(organizer.auth).send({ title: '电子信息专场（柔性电子）' }).expect(200);
    const again = icsLines((await request(app).get(`/roadshows/${roadshow.id}.ics`).expect(200)).text);
    expect(again.find((l) => l.startsWith('UID:'))).toBe(uid);
    expect(again).toContain('SUMMARY:项目路演：电子信息专场（柔性电子）');
    expect((await request(app).get('/roadshows/0123456789abcdef01234567.ics')).status).toBe(404);
  });

  it('when a user makes a feed address, then it lists their roadshows and visits; without the secret, or once revoked, it is 404', async () => {
    expect((await request(app).post('/api/v1/calendar/feed')).status).toBe(401);
    const made = await request(app).post('/api/v1/calendar/feed').set(ent.auth).expect(201);
    const path = new URL(made.body.url).pathname;
    expect(path).toMatch(/^\/calendar\/cal_[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await request(app).get(path).expect(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    const lines = icsLines(feed.text);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
    expect(lines).toContain(`UID:roadshow-${roadshow.id}@techbridge.dongbao`);
    expect(lines).toContain(`UID:visit-${visit.id}-${visit.stops[0]!.id}@techbridge.dongbao`);
    expect(lines).toContain(`DTSTART;TZID=Asia/Shanghai:${icsLocal(at(WEEK, 3, '14:00'))}`);

    // The expert's feed: presenting (as the result's lead) and visiting.
    const expertFeed = await request(app).post('/api/v1/calendar/feed').set(expert.auth).expect(201);
    const expertLines = icsLines((await request(app).get(new URL(expertFeed.body.url).pathname).expect(200)).text);
    expect(expertLines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
    // The organizer's: the roadshow it organized (visits are the expert's and the enterprise's).
    const orgFeed = await request(app).post('/api/v1/calendar/feed').set(organizer.auth).expect(201);
    expect(icsLines((await request(app).get(new URL(orgFeed.body.url).pathname).expect(200)).text).filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);

    expect((await request(app).get('/calendar/cal_notarealtokenatallnotarealtokenatall0000000.ics')).status).toBe(404);
    expect((await request(app).get('/calendar/.ics')).status).toBe(404);
    const status = await request(app).get('/api/v1/calendar/feed').set(ent.auth).expect(200);
    expect(status.body.feed.hint).toBe(path.slice(-8, -4));
    // Regenerating retires the old address; revoking retires the new one.
    const renewed = await request(app).post('/api/v1/calendar/feed').set(ent.auth).expect(201);
    expect((await request(app).get(path)).status).toBe(404);
    const newPath = new URL(renewed.body.url).pathname;
    await request(app).get(newPath).expect(200);
    await request(app).delete('/api/v1/calendar/feed').set(ent.auth).expect(204);
    expect((await request(app).get(newPath)).status).toBe(404);
  });

  it('when the calendar page is used, then a feed address is made and shown once, and can be stopped', async () => {
    const agent = await loginAgent(app, ent.user.email);
    const page = await agent.get('/calendar').expect(200);
    expect(page.text).toContain('生成订阅地址');
    const made = await agent.post('/calendar/feed').type('form').send({ _csrf: csrfFrom(page.text) });
    expect(made.status).toBe(201);
    const url = /<code>(https?:\/\/[^<]+\/calendar\/cal_[^<]+\.ics)<\/code>/.exec(made.text)![1]!;
    await request(app).get(new URL(url).pathname).expect(200);
    const later = await agent.get('/calendar').expect(200);
    expect(later.text).not.toContain(url);
    expect(later.text).toContain('订阅地址已开启');
    await agent.post('/calendar/feed/revoke').type('form').send({ _csrf: csrfFrom(later.text) }).expect(303);
    expect((await request(app).get(new URL(url).pathname)).status).toBe(404);
  });
});

describe('calendar and agenda pages', () => {
  it('when the week is shown, then its days list the roadshow (and, for members, the visit) with prev/next links', async () => {
    const date = monday(WEEK).plus({ days: 4 }).toISODate()!;
    const anonymous = await request(app).get('/calendar').query({ view: 'week', date }).expect(200);
    expect(anonymous.text).toContain('项目路演：电子信息专场');
    expect(anonymous.text).toContain('09:00–11:30');
    expect(anonymous.text).not.toContain('专家东宝行：林日程');
    expect(decoded(anonymous.text)).toContain(`date=${monday(WEEK - 1).toISODate()}`);
    expect(decoded(anonymous.text)).toContain(`date=${monday(WEEK + 1).toISODate()}`);
    expect(anonymous.text).toContain(monday(WEEK).toFormat('yyyy年M月d日'));
    expect((anonymous.text.match(/class="cal-day/g) ?? []).length).toBe(7);

    const agent = await loginAgent(app, ent.user.email);
    const member = await agent.get('/calendar').query({ view: 'week', date }).expect(200);
    expect(member.text).toContain('专家东宝行：林日程 走访 东宝区日历测试企业');
    const mine = await agent.get('/calendar').query({ view: 'week', date, mine: '1' }).expect(200);
    expect(mine.text).toContain('共 2 项日程');
    expect(mine.text).toContain('<span class="tag">报名</span>');
    const empty = await request(app).get('/calendar').query({ view: 'week', date: monday(WEEK + 3).toISODate()! }).expect(200);
    expect(empty.text).toContain('共 0 项日程');
    // A bad date falls back to today rather than failing.
    await request(app).get('/calendar').query({ view: 'year', date: '2026-02-31' }).expect(200);
  });

  it('when the month is shown, then it is a table of whole weeks with the events on their days and links to the next month', async () => {
    const day = monday(WEEK).plus({ days: 2 });
    const res = await request(app).get('/calendar').query({ view: 'month', date: day.toISODate()! }).expect(200);
    expect(res.text).toContain('class="cal-month"');
    expect(res.text).toContain(day.toFormat('yyyy年M月'));
    expect(res.text).toContain('09:00 项目路演：电子信息专场');
    expect(decoded(res.text)).toContain(`date=${day.startOf('month').plus({ months: 1 }).toISODate()}`);
    const rows = (res.text.match(/<tr>/g) ?? []).length - 1;
    expect(rows).toBeGreaterThanOrEqual(4);
    expect(rows).toBeLessThanOrEqual(6);
  });

  it('when the agenda is printed, then it is a page of its own with print styles, the slots and no scripts', async () => {
    const res = await request(app).get(`/roadshows/${roadshow.id}/agenda`).expect(200);
    expect(res.text).not.toContain('<script');
    expect(res.text).toContain('/assets/app.css');
    expect(res.text).toContain('09:00–09:30');
    expect(res.text).toContain('成果路演：柔性线路板激光直写技术');
    expect(res.text).toContain('东宝工业园 科技服务中心路演厅');
    const css = await request(app).get('/assets/app.css').expect(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.text).toContain('@media print');
  });
});

describe('forms and check-in pages', () => {
  it('when the roadshow form has bad fields or a clash, then it comes back with each message next to its field', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const form = await agent.get(`/roadshows/new?campaign=${campaign}`).expect(200);
    expect(form.text).toContain('data-slot-picker="/roadshows/slot-choices"');
    const csrf = csrfFrom(form.text);
    const bad = await agent.post('/roadshows').type('form').send({
      _csrf: csrf,
      campaign,
      title: '',
      venue: venue(),
      startsAt: at(WEEK + 1, 0, '09:00'),
      endsAt: at(WEEK + 1, 0, '12:00'),
      capacity: '30',
      'slots.0.kind': 'expert',
      'slots.0.ref': expert.id,
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '1',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="e-title" class="field-error">请填写路演名称。/);
    expect(bad.text).toMatch(/id="e-slots.0.minutes" class="field-error">时长（分钟）不能小于 5。/);
    expect(bad.text).toContain(`value="${expert.id}"`);

    const clash = await agent.post('/roadshows').type('form').send({
      _csrf: csrf,
      campaign,
      title: '同场地冲突',
      venue: '东宝工业园科技服务中心路演厅',
      startsAt: at(WEEK, 2, '09:00'),
      endsAt: at(WEEK, 2, '12:00'),
      capacity: '30',
      'slots.0.kind': '',
      'slots.1.kind': 'expert',
      'slots.1.ref': expert.id,
      'slots.1.startsAt': '09:10',
      'slots.1.minutes': '30',
    });
    expect(clash.status).toBe(409);
    expect(clash.text).toMatch(/id="e-venue" class="field-error">场地“东宝工业园 科技服务中心路演厅”在 [^<]+已有“电子信息专场/);
    // The clash of the second row is shown on the second row, though the first was blank.
    expect(clash.text).toMatch(/id="e-slots.1.ref" class="field-error">专家林日程在 [^<]+已安排在路演“电子信息专场[^<]+第 1 项/);
    expect(clash.text).toContain('class="form-errors"');
  });

  it('when a good code is typed days before the roadshow, then the page says when check-in opens, offers the reason field and records nothing', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const code = (await request(app).get(`/api/v1/roadshows/${roadshow.id}/registrations`).set(ent.auth)).body.items[0].code as string;
    const page = await agent.get(`/roadshows/${roadshow.id}/checkin`).expect(200);
    expect(page.text).toContain(`签到时间：${at(WEEK, 2, '07:00').replace('T', ' ')} 至 ${at(WEEK, 2, '11:30').replace('T', ' ')}`);
    expect(page.text).toContain('<strong>尚未开放</strong>');
    expect(page.text).toContain('name="override.reason"');
    const early = await agent.post(`/roadshows/${roadshow.id}/checkin`).type('form').send({ _csrf: csrfFrom(page.text), code });
    expect(early.status).toBe(409);
    expect(early.text).toMatch(/id="e-code" class="field-error" role="alert">签到尚未开放：路演“电子信息专场[^”]*”于 [^<]+起可以签到，本次未记录签到。确需提前签到，请填写补签原因。/);
    expect(early.text).toContain(`value="${code}"`);
    expect(early.text).toContain('已签到 <strong>0</strong>');
    // A reason that says nothing is refused next to its own field.
    const blank = await agent.post(`/roadshows/${roadshow.id}/checkin`).type('form').send({ _csrf: csrfFrom(page.text), code, 'override.reason': '补' });
    expect(blank.status).toBe(400);
    expect(blank.text).toMatch(/id="e-override-reason" class="field-error" role="alert">补签原因至少 2 个字。/);
    expect((await request(app).get(`/api/v1/roadshows/${roadshow.id}/registrations`).set(ent.auth)).body.items[0].checkedInAt).toBeUndefined();
  });

  it('when codes are typed at the door, then a good code is welcomed and a wrong or used one is explained next to the field', async () => {
    // The door: an hour before the start, inside the window (it opens two hours before).
    advanceClock(Date.parse(utc(at(WEEK, 2, '09:00'))) - 3_600_000 - clock.ms());
    const agent = await loginAgent(app, organizer.user.email);
    const code = (await request(app).get(`/api/v1/roadshows/${roadshow.id}/registrations`).set(ent.auth)).body.items[0].code as string;
    const page = await agent.get(`/roadshows/${roadshow.id}/checkin`).expect(200);
    expect(page.text).toContain(code);
    expect(page.text).toContain('<strong>正在签到</strong>');
    expect(page.text).not.toContain('name="override.reason"');
    const wrong = await agent.post(`/roadshows/${roadshow.id}/checkin`).type('form').send({ _csrf: csrfFrom(page.text), code: 'ZZZZZZ' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/id="e-code" class="field-error" role="alert">签到码 ZZZZZZ 不是本场路演的报名码/);
    const good = await agent.post(`/roadshows/${roadshow.id}/checkin`).type('form').send({ _csrf: csrfFrom(page.text), code: code.toLowerCase() });
    expect(good.status).toBe(303);
    expect((await agent.get(good.headers.location!)).text).toContain('签到成功：东宝区日历测试企业');
    const used = await agent.post(`/roadshows/${roadshow.id}/checkin`).type('form').send({ _csrf: csrfFrom(page.text), code });
    expect(used.status).toBe(409);
    expect(used.text).toContain(`签到码 ${code} 已于`);
    const entAgent = await loginAgent(app, ent.user.email);
    expect((await entAgent.get(`/roadshows/${roadshow.id}/checkin`)).status).toBe(403);
  });

  it('when an enterprise signs up on the roadshow page, then it sees its code, and the organizer page lists it', async () => {
    const other = await owner('enterprise', { name: '页面报名企业' });
    const agent = await loginAgent(app, other.user.email);
    const page = await agent.get(`/roadshows/${roadshow.id}`).expect(200);
    expect(page.text).toContain('报名参加');
    await agent.post(`/roadshows/${roadshow.id}/registrations`).type('form').send({ _csrf: csrfFrom(page.text), attendee: '王主任' }).expect(303);
    const after = await agent.get(`/roadshows/${roadshow.id}`).expect(200);
    expect(after.text).toMatch(/签到码 <span class="code">[23456789A-Z]{6}<\/span>/);
    expect(after.text).toContain('取消报名');
    const orgAgent = await loginAgent(app, organizer.user.email);
    const orgPage = await orgAgent.get(`/roadshows/${roadshow.id}`).expect(200);
    expect(orgPage.text).toContain('报名名单');
    expect(orgPage.text).toContain('页面报名企业');
  });
});
