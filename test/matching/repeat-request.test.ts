// Issue 19: an enterprise that asks again for a contact it already asked for is told where its request stands on
// the page it came from (not a bare 409 page), and its need's page shows the state on each candidate.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrfFrom, loginAgent, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';

const { app, settle } = buildTestApp();
let agent: Agent;
let demandId: string;
let resultId: string;

beforeAll(async () => {
  const firm = await owner('enterprise');
  const uni = await owner('institution');
  resultId = (await resultOf(uni.actor, { title: '磷石膏水洗净化与高强石膏制备技术' })).id;
  demandId = (await demandOf(firm.actor, { title: '磷石膏净化及高强石膏利用技术需求' })).id;
  await settle();
  agent = await loginAgent(app, firm.user.email);
});

async function ask() {
  const page = await agent.get(`/demands/${demandId}`).expect(200);
  return agent.post('/contact-requests').type('form').send({ _csrf: csrfFrom(page.text), kind: 'result', target: resultId, demand: demandId, back: `/demands/${demandId}` });
}

describe('asking twice for the same contact', () => {
  it('when the need page is first shown, then the candidate has a 申请对接 button', async () => {
    const page = await agent.get(`/demands/${demandId}`).expect(200);
    expect(page.text).toContain(`/results/${resultId}`);
    expect(page.text).toContain('申请对接</button>');
  });

  it('when the enterprise asks, then asks again, then it goes back to the need with the state, and the button is gone', async () => {
    expect((await ask()).status).toBe(303);
    const again = await ask();
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/demands/${demandId}`);
    const page = await agent.get(`/demands/${demandId}`).expect(200);
    expect(page.text).toContain('已提交过申请，正在等待对方答复。'); // the flash
    expect(page.text).toContain('已申请对接，等待对方答复');
    expect(page.text).not.toContain('申请对接</button>');
  });
});
