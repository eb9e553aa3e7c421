// One policy per record type (docs/architecture.md "Policies"; docs/security.md 9, 10, 12, 37, 38): for every
// action each policy declares, one case per role, through the real app. Each case asserts the HTTP answer of the
// action and that the record's page shows its button exactly when the action is allowed — pages ask the policy's
// `can`, services its `authorize`, so the two never disagree. A last check fails when a policy declares an action
// this table does not cover.
import request from 'supertest';
import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { loginAgent, makeUser, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import * as accounts from '../../server/accounts/service.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import type { Policy } from '../../server/platform/auth/policy.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { demandPolicy } from '../../server/demands/policy.ts';
import { resultPolicy } from '../../server/results/policy.ts';
import { expertPolicy } from '../../server/experts/policy.ts';
import { brokerPolicy } from '../../server/brokers/policy.ts';
import { enterprisePolicy, institutionPolicy } from '../../server/organizations/policy.ts';
import { contractPolicy } from '../../server/deals/policy.ts';
import { talentPolicy } from '../../server/talents/policy.ts';
import { targetPolicy } from '../../server/targets/policy.ts';
import { experts } from '../../server/experts/service.ts';
import { expertInput } from '../../server/experts/schema.ts';
import { brokers } from '../../server/brokers/service.ts';
import { brokerInput } from '../../server/brokers/schema.ts';
import { enterprises } from '../../server/organizations/enterprise-service.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { enterpriseInput, institutionInput } from '../../server/organizations/schema.ts';
import { creditCode } from '../support/directory.ts';

const { app } = buildTestApp();

const ROLES = ['anonymous', 'enterprise', 'otherEnterprise', 'institution', 'expert', 'brokerAssigned', 'otherBroker', 'organizer', 'pending'] as const;
type RoleName = (typeof ROLES)[number];

/**
 * The accounts, one per role. `enterprise` owns the needs, its enterprise record and buys in the contracts;
 * `institution` owns the results, its institution record and sells in the contracts; `expert` and `brokerAssigned`
 * own their profiles; `brokerAssigned` is the confirmed broker on the needs and records the contracts and talents.
 * `pending` is an enterprise account the bureau has not approved.
 */
interface Who {
  agent: Agent | ReturnType<typeof request>;
  auth: Record<string, string>;
  actor?: Actor;
  profile?: string;
}
const who = {} as Record<RoleName, Who>;
let otherInstitution: string;
let seq = 0;
let targetSeq = 0;

async function signedIn(user: { email: string } & Actor, profile?: string): Promise<Who> {
  const { token } = await accounts.createToken(user, 'policies');
  return { agent: await loginAgent(app, user.email), auth: { Authorization: `Bearer ${token}` }, actor: user, profile };
}

beforeAll(async () => {
  who.anonymous = { agent: request(app), auth: {} };
  for (const [role, kind] of [
    ['enterprise', 'enterprise'],
    ['otherEnterprise', 'enterprise'],
    ['institution', 'institution'],
    ['expert', 'expert'],
    ['brokerAssigned', 'broker'],
    ['otherBroker', 'broker'],
  ] as const) {
    const o = await owner(kind);
    who[role] = await signedIn({ ...o.user, ...o.actor }, o.id);
  }
  who.organizer = await signedIn(await makeUser('organizer'));
  who.pending = await signedIn(await makeUser('enterprise', { status: 'pending' }));
  otherInstitution = (await owner('institution')).id;
}, 120_000);

const api = (role: RoleName) => ({
  get: (url: string) => request(app).get(url).set(who[role].auth),
  patch: (url: string, body: object = {}) => request(app).patch(url).set(who[role].auth).send(body),
  put: (url: string, body: object = {}) => request(app).put(url).set(who[role].auth).send(body),
  post: (url: string, body: object = {}) => request(app).post(url).set(who[role].auth).send(body),
  delete: (url: string) => request(app).delete(url).set(who[role].auth),
});

const actorOf = (role: RoleName) => who[role].actor!;
const profileOf = (role: RoleName) => who[role].profile!;

// ---- records, made fresh for each case through the real API ----------------------------------------------------

const org = () => api('organizer');

async function need(opts: { draft?: boolean; assigned?: boolean; claimed?: boolean } = {}): Promise<string> {
  const id = (await demandOf(actorOf('enterprise'), { title: `权限表测试需求${++seq}`, draft: opts.draft ?? false })).id;
  if (opts.assigned) await org().put(`/api/v1/demands/${id}/broker`, { broker: profileOf('brokerAssigned') }).expect(200);
  if (opts.claimed) await api('brokerAssigned').post(`/api/v1/demands/${id}/claim`).expect(204);
  return id;
}

async function result(draft = false): Promise<string> {
  return (await resultOf(actorOf('institution'), { title: `权限表测试成果${++seq}`, draft })).id;
}

const contact = () => ({ name: '联系人', phone: '13972600002', email: `policies${++seq}@example.cn` });
const organizerActor = () => actorOf('organizer');

/** A profile nobody speaks for, for the organizer's delete (the role's own record stays for the other cases). */
const spare = {
  expert: async () => (await experts.create(organizerActor(), parse(expertInput, { name: `备用专家${++seq}`, title: '教授', industries: ['chemicals'], keywords: ['磷石膏'], contact: contact() }))).id,
  broker: async () => (await brokers.create(organizerActor(), parse(brokerInput, { name: `备用经纪${++seq}`, level: 'senior', organization: '东宝区科技创新服务中心', specialties: ['chemicals'], contact: contact() }))).id,
  enterprise: async () => (await enterprises.create(organizerActor(), parse(enterpriseInput, { name: `备用企业${++seq}`, creditCode: creditCode(), industry: 'chemicals', town: 'shiqiaoyi', contact: contact() }))).id,
  institution: async () => (await institutions.create(organizerActor(), parse(institutionInput, { name: `备用大学${++seq}`, kind: 'university', province: '湖北省', city: '武汉市', contact: contact() }))).id,
};

async function contract(): Promise<string> {
  const res = await api('brokerAssigned')
    .post('/api/v1/contracts', {
      title: `权限表测试合同${++seq}`,
      type: 'development',
      buyer: profileOf('enterprise'),
      seller: { kind: 'institution', id: profileOf('institution') },
      amount: 1_000_000,
      signedAt: '2025-03-01',
    })
    .expect(201);
  return res.body.id as string;
}

async function talent(): Promise<string> {
  const res = await api('brokerAssigned')
    .post('/api/v1/talents', { name: '张博士', degree: 'doctor', category: 'shortage', mode: 'flexible', employer: profileOf('enterprise'), industry: 'chemicals', date: '2025-05-01' })
    .expect(201);
  return res.body.id as string;
}

async function target(): Promise<string> {
  // one row per indicator, period and scope: each case its own period
  const res = await org().post('/api/v1/targets', { indicator: 'contract-count', year: 2001 + ++targetSeq, value: 5, scope: 'district' }).expect(201);
  return res.body.id as string;
}

// ---- the table -------------------------------------------------------------------------------------------------

/** The answer, and whether the page shows the action's button (by default: when the answer is a success). */
type Expect = number | { status: number; button: boolean };

interface ActionCase {
  /** the record the action is tried on (fresh for each case) */
  make(role: RoleName): Promise<string>;
  /** the record's page */
  page(id: string): string;
  /** the button or form the page shows when the action is allowed; null when the page itself is the action */
  button: ((id: string) => string) | null;
  /** the action through the API (or the page for `view`) */
  act(role: RoleName, id: string): Promise<Response>;
  expect: Record<RoleName, Expect>;
}

const page = (role: RoleName, url: string) => who[role].agent.get(url) as unknown as Promise<Response>;
const viewPage = (url: (id: string) => string) => (role: RoleName, id: string) => page(role, url(id));
const editLink = (base: string) => (id: string) => `href="${base}/${id}/edit"`;
const deleteLink = (base: string) => (id: string) => `href="${base}/${id}/delete"`;
const form = (path: string) => (id: string) => `action="${path.replace(':id', id)}"`;

/** expected answers: `others` for every role not named */
const answers = (others: number, named: Partial<Record<RoleName, Expect>>): Record<RoleName, Expect> =>
  Object.fromEntries(ROLES.map((r) => [r, named[r] ?? (r === 'anonymous' ? 401 : others)])) as Record<RoleName, Expect>;
/** a page anyone may open */
const publicPage = (named: Partial<Record<RoleName, Expect>> = {}) => Object.fromEntries(ROLES.map((r) => [r, named[r] ?? 200])) as Record<RoleName, Expect>;

const profileCases = (base: string, apiBase: string, ownerRole: RoleName, make: () => Promise<string>, mine: () => string): Record<'view' | 'edit' | 'delete', ActionCase> => ({
  view: { make: async () => mine(), page: (id) => `${base}/${id}`, button: null, act: viewPage((id) => `${base}/${id}`), expect: publicPage() },
  edit: {
    make: async () => mine(),
    page: (id) => `${base}/${id}`,
    button: editLink(base),
    act: (role, id) => api(role).patch(`${apiBase}/${id}`),
    expect: answers(403, { [ownerRole]: 200, organizer: 200 }),
  },
  delete: {
    make: async (role) => (role === 'organizer' ? make() : mine()),
    page: (id) => `${base}/${id}`,
    button: deleteLink(base),
    act: (role, id) => api(role).delete(`${apiBase}/${id}`),
    expect: answers(403, { organizer: 204 }),
  },
});

const table: Record<string, { policy: Policy<never, string>; actions: Record<string, ActionCase> }> = {
  demands: {
    policy: demandPolicy as unknown as Policy<never, string>,
    actions: {
      // a draft: its parties see it, to anyone else it does not exist (docs/security.md 37)
      view: {
        make: () => need({ draft: true, assigned: true }),
        page: (id) => `/demands/${id}`,
        button: null,
        act: viewPage((id) => `/demands/${id}`),
        expect: answers(404, { anonymous: 404, enterprise: 200, brokerAssigned: 200, organizer: 200 }),
      },
      edit: {
        make: () => need({ assigned: true }),
        page: (id) => `/demands/${id}`,
        button: editLink('/demands'),
        act: (role, id) => api(role).patch(`/api/v1/demands/${id}`),
        expect: answers(403, { enterprise: 200, organizer: 200 }),
      },
      delete: {
        make: () => need({ assigned: true }),
        page: (id) => `/demands/${id}`,
        button: deleteLink('/demands'),
        act: (role, id) => api(role).delete(`/api/v1/demands/${id}`),
        expect: answers(403, { enterprise: 204, organizer: 204 }),
      },
      transition: {
        make: () => need({ assigned: true }),
        page: (id) => `/demands/${id}`,
        button: form('/demands/:id/status'),
        act: (role, id) => api(role).post(`/api/v1/demands/${id}/status`, { status: 'matching' }),
        expect: answers(403, { enterprise: 200, brokerAssigned: 200, organizer: 200 }),
      },
      clarify: {
        make: () => need({ assigned: true }),
        page: (id) => `/demands/${id}`,
        button: form('/demands/:id/clarification'),
        act: (role, id) => api(role).put(`/api/v1/demands/${id}/clarification`, { indicator: '纯度 ≥ 95%' }),
        expect: answers(403, { enterprise: 200, brokerAssigned: 200, organizer: 200 }),
      },
      assignBroker: {
        make: () => need(),
        page: (id) => `/demands/${id}`,
        button: form('/demands/:id/broker'),
        act: (role, id) => api(role).put(`/api/v1/demands/${id}/broker`, { broker: profileOf('otherBroker') }),
        expect: answers(403, { organizer: 200 }),
      },
      // an unassigned published need: any broker with a profile claims it (docs/security.md 38)
      claim: {
        make: () => need(),
        page: (id) => `/demands/${id}`,
        button: form('/demands/:id/claim'),
        act: (role, id) => api(role).post(`/api/v1/demands/${id}/claim`),
        expect: answers(403, { brokerAssigned: 204, otherBroker: 204 }),
      },
      // claimed by brokerAssigned, waiting: the enterprise or an organizer confirms it
      confirmClaim: {
        make: () => need({ claimed: true }),
        page: (id) => `/demands/${id}`,
        button: form('/demands/:id/claim/confirm'),
        act: (role, id) => api(role).post(`/api/v1/demands/${id}/claim/confirm`),
        expect: answers(403, { enterprise: 200, organizer: 200 }),
      },
    },
  },
  results: {
    policy: resultPolicy as unknown as Policy<never, string>,
    actions: {
      view: {
        make: () => result(true),
        page: (id) => `/results/${id}`,
        button: null,
        act: viewPage((id) => `/results/${id}`),
        expect: answers(404, { anonymous: 404, institution: 200, organizer: 200 }),
      },
      edit: { make: () => result(), page: (id) => `/results/${id}`, button: editLink('/results'), act: (role, id) => api(role).patch(`/api/v1/results/${id}`), expect: answers(403, { institution: 200, organizer: 200 }) },
      delete: { make: () => result(), page: (id) => `/results/${id}`, button: deleteLink('/results'), act: (role, id) => api(role).delete(`/api/v1/results/${id}`), expect: answers(403, { institution: 204, organizer: 204 }) },
      reassign: {
        make: () => result(),
        page: (id) => `/results/${id}`,
        button: null,
        act: (role, id) => api(role).patch(`/api/v1/results/${id}`, { institution: otherInstitution }),
        expect: answers(403, { organizer: 200 }),
      },
    },
  },
  experts: { policy: expertPolicy as unknown as Policy<never, string>, actions: profileCases('/experts', '/api/v1/experts', 'expert', spare.expert, () => profileOf('expert')) },
  brokers: {
    policy: brokerPolicy as unknown as Policy<never, string>,
    actions: {
      ...profileCases('/brokers', '/api/v1/brokers', 'brokerAssigned', spare.broker, () => profileOf('brokerAssigned')),
      // the page itself; its claims section is the broker's and the organizers' only
      seeClaims: {
        make: async () => profileOf('brokerAssigned'),
        page: (id) => `/brokers/${id}`,
        button: () => 'id="claims"',
        act: viewPage((id) => `/brokers/${id}`),
        expect: Object.fromEntries(ROLES.map((r) => [r, { status: 200, button: r === 'brokerAssigned' || r === 'organizer' }])) as Record<RoleName, Expect>,
      },
      setClaimLimit: {
        make: async () => profileOf('brokerAssigned'),
        page: (id) => `/brokers/${id}`,
        button: form('/brokers/:id/claim-limit'),
        act: (role, id) => api(role).put(`/api/v1/brokers/${id}/claim-limit`, { claimLimit: 10 }),
        expect: answers(403, { organizer: 200 }),
      },
    },
  },
  enterprises: { policy: enterprisePolicy as unknown as Policy<never, string>, actions: profileCases('/enterprises', '/api/v1/enterprises', 'enterprise', spare.enterprise, () => profileOf('enterprise')) },
  institutions: { policy: institutionPolicy as unknown as Policy<never, string>, actions: profileCases('/institutions', '/api/v1/institutions', 'institution', spare.institution, () => profileOf('institution')) },
  contracts: {
    policy: contractPolicy as unknown as Policy<never, string>,
    actions: {
      // its parties see it; to anyone else it does not exist; visitors are sent to sign in
      view: {
        make: contract,
        page: (id) => `/contracts/${id}`,
        button: null,
        act: viewPage((id) => `/contracts/${id}`),
        expect: answers(404, { anonymous: 303, pending: 403, enterprise: 200, institution: 200, brokerAssigned: 200, organizer: 200 }),
      },
      edit: {
        make: contract,
        page: (id) => `/contracts/${id}`,
        button: editLink('/contracts'),
        act: (role, id) => api(role).patch(`/api/v1/contracts/${id}`),
        expect: answers(404, { pending: 403, enterprise: 403, institution: 403, brokerAssigned: 200, organizer: 200 }),
      },
      delete: {
        make: contract,
        page: (id) => `/contracts/${id}`,
        button: deleteLink('/contracts'),
        act: (role, id) => api(role).delete(`/api/v1/contracts/${id}`),
        expect: answers(404, { pending: 403, enterprise: 403, institution: 403, brokerAssigned: 204, organizer: 204 }),
      },
      verify: {
        make: contract,
        page: (id) => `/contracts/${id}`,
        button: form('/contracts/:id/verify'),
        act: (role, id) => api(role).post(`/api/v1/contracts/${id}/verify`),
        expect: answers(403, { organizer: 200 }),
      },
    },
  },
  talents: {
    policy: talentPolicy as unknown as Policy<never, string>,
    actions: {
      view: { make: talent, page: (id) => `/talents/${id}`, button: null, act: viewPage((id) => `/talents/${id}`), expect: answers(404, { anonymous: 303, pending: 403, brokerAssigned: 200, organizer: 200 }) },
      edit: { make: talent, page: (id) => `/talents/${id}`, button: editLink('/talents'), act: (role, id) => api(role).patch(`/api/v1/talents/${id}`), expect: answers(404, { pending: 403, brokerAssigned: 200, organizer: 200 }) },
      delete: { make: talent, page: (id) => `/talents/${id}`, button: deleteLink('/talents'), act: (role, id) => api(role).delete(`/api/v1/talents/${id}`), expect: answers(404, { pending: 403, brokerAssigned: 204, organizer: 204 }) },
      verify: { make: talent, page: (id) => `/talents/${id}`, button: form('/talents/:id/verify'), act: (role, id) => api(role).post(`/api/v1/talents/${id}/verify`), expect: answers(403, { organizer: 200 }) },
    },
  },
  targets: {
    policy: targetPolicy as unknown as Policy<never, string>,
    actions: {
      view: { make: target, page: (id) => `/targets/plan/${id}`, button: null, act: viewPage((id) => `/targets/plan/${id}`), expect: publicPage() },
      edit: { make: target, page: (id) => `/targets/plan/${id}`, button: editLink('/targets/plan'), act: (role, id) => api(role).patch(`/api/v1/targets/${id}`), expect: answers(403, { organizer: 200 }) },
      delete: { make: target, page: (id) => `/targets/plan/${id}`, button: deleteLink('/targets/plan'), act: (role, id) => api(role).delete(`/api/v1/targets/${id}`), expect: answers(403, { organizer: 204 }) },
    },
  },
};

describe('every policy action, for every role', () => {
  for (const [type, { actions }] of Object.entries(table)) {
    for (const [action, c] of Object.entries(actions)) {
      for (const role of ROLES) {
        const expected = c.expect[role];
        const status = typeof expected === 'number' ? expected : expected.status;
        const button = typeof expected === 'number' ? status < 300 : expected.button;
        it(`${type} ${action}: ${role} → ${status}${c.button ? (button ? ', button shown' : ', no button') : ''}`, async () => {
          const id = await c.make(role);
          if (c.button) {
            const shown = await page(role, c.page(id));
            // a page the role cannot open shows no button either
            const has = shown.status === 200 && shown.text.includes(c.button(id));
            expect(has, `${c.page(id)} as ${role} (${shown.status})`).toBe(button);
          }
          const res = await c.act(role, id);
          expect(res.status, `${type} ${action} as ${role}: ${res.text.slice(0, 300)}`).toBe(status);
        });
      }
    }
  }
});

describe('the table covers every policy', () => {
  it('when a policy declares an action, then the table has a case for it for every role', () => {
    for (const [type, { policy, actions }] of Object.entries(table)) {
      expect(Object.keys(actions).sort(), type).toEqual([...policy.actions].sort());
      for (const c of Object.values(actions)) expect(Object.keys(c.expect).sort()).toEqual([...ROLES].sort());
    }
  });
});
