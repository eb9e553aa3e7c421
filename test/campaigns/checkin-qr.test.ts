// Roadshow check-in by QR code (server/campaigns/checkin-qr.ts): an enterprise's sign-up on the roadshow page shows
// its check-in code beside a QR code drawn as inline SVG (no script, no style attribute: the CSP allows neither);
// the QR code holds the check-in page's address with the code, so an organizer's phone camera opens the page with
// the code filled in, and one tap checks in. Typing the code still works.
import QRCode from 'qrcode';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { checkinUrl } from '../../server/campaigns/checkin-qr.ts';
import { at, makeCampaign, roadshowBody, venue } from './support.ts';

const BASE = 'http://kj.dongbao.test:8080';
const { app } = buildTestApp({ env: { BASE_URL: BASE } });

let organizer: Awaited<ReturnType<typeof apiToken>>;
let ent: Awaited<ReturnType<typeof owner>>;
let roadshow: string;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  ent = await owner('enterprise', { name: '东宝扫码签到示范企业' });
  const campaign = await makeCampaign(app, organizer.auth, { name: '扫码签到测试活动' });
  // Today at 11:00 (the test clock starts at 10:00): sign-up still open, check-in open from two hours before.
  const res = await request(app).post('/api/v1/roadshows').set(organizer.auth).send(roadshowBody(campaign, { title: '扫码签到专场', venue: venue(), startsAt: at(0, 5, '11:00'), endsAt: at(0, 5, '18:00') }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  roadshow = res.body.id as string;
});

/** The path data of the dark modules of a qrcode SVG: what the code says, whatever the attributes around it. */
const modules = (svg: string) => /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1];

describe('check-in by QR code', () => {
  it('when an enterprise has signed up, then its roadshow page shows the code with a QR code of the check-in address, and the scanned address checks in with one tap', async () => {
    const reg = await request(app).post(`/api/v1/roadshows/${roadshow}/registrations`).set(ent.auth).send({ attendee: '王工' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const code = reg.body.code as string;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);

    const company = await loginAgent(app, ent.user.email);
    const page = await company.get(`/roadshows/${roadshow}`).expect(200);
    const svg = /<svg role="img" aria-label="([^"]+)"[^>]*>[\s\S]*?<\/svg>/.exec(page.text);
    expect(svg, 'an inline SVG QR code in the sign-up box').not.toBeNull();
    expect(svg![1]).toBe(`签到二维码，签到码 ${code}`);
    expect(svg![0]).not.toMatch(/style=|<script/);
    expect(page.text).toContain(`<span class="code">${code}</span>`);
    // It encodes the check-in page's address with the code.
    const url = checkinUrl(BASE, roadshow, code);
    expect(url).toBe(`${BASE}/roadshows/${roadshow}/checkin?code=${code}`);
    expect(modules(svg![0])).toBe(modules(await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })));
    // Nobody else's page shows it.
    expect((await request(app).get(`/roadshows/${roadshow}`).expect(200)).text).not.toContain('签到二维码');

    // The organizer's camera opens the address: the code is filled in (lower case as typed is accepted too).
    const desk = await loginAgent(app, organizer.user.email);
    const opened = await desk.get(`/roadshows/${roadshow}/checkin?code=${code.toLowerCase()}`).expect(200);
    expect(opened.text).toMatch(new RegExp(`<input id="f-code" name="code" value="${code}"`));
    const done = await desk.post(`/roadshows/${roadshow}/checkin`).type('form').send({ _csrf: csrfFrom(opened.text), code });
    expect(done.status).toBe(303);
    const after = await desk.get(done.headers.location as string).expect(200);
    expect(after.text).toContain(`签到成功：东宝扫码签到示范企业（王工），签到码 ${code}`);
    // Opening the address does not check anyone in by itself.
    expect((await request(app).get(`/roadshows/${roadshow}/checkin?code=${code}`)).status).not.toBe(200);
  });
});
