// docs/security.md 9: for every record type × role × {own, someone else's}: read, edit and delete through the API.
// Someone else's record can be read where it is public and never edited or deleted. Authorization comes
// before existence: a record the actor can see answers 403 to a change (it is no secret that it exists), one
// they cannot see — someone else's draft need or result — answers 404 to every method, exactly like an id
// that was never used (test/security/abuse.test.ts, point 12, does the same for contracts and talents). What
// an owner may do with its own record is the module's rule, spelled out in the table below.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { assignBroker } from '../../server/demands/service.ts';

const { app } = buildTestApp();

type Kind = 'enterprises' | 'institutions' | 'experts' | 'brokers' | 'results' | 'demands';
type RoleName = 'enterprise' | 'institution' | 'expert' | 'broker' | 'organizer';

interface World {
  auth: Record<RoleName, Record<string, string>>;
  own: Partial<Record<RoleName, Partial<Record<Kind, string>>>>;
  other: Record<Kind, string>;
}
let world: World;

const patches: Record<Kind, object> = {
  enterprises: { intro: '更新后的简介' },
  institutions: { intro: '更新后的简介' },
  experts: { bio: '更新后的简介' },
  brokers: { bio: '更新后的简介' },
  results: { abstract: '更新后的成果简介：磷石膏经净化与转晶制备高强石膏，强度与白度均达到行业标准。' },
  demands: { description: '更新后的需求描述：需要磷石膏低成本净化与建材化利用的成套技术与装备。' },
};

/** What the owner of a record may do with it (read is always allowed). */
const ownerMay: Record<Kind, { edit: boolean; delete: boolean }> = {
  enterprises: { edit: true, delete: false }, // profiles are deleted by organizers only
  institutions: { edit: true, delete: false },
  experts: { edit: true, delete: false },
  brokers: { edit: true, delete: false },
  results: { edit: true, delete: true },
  demands: { edit: true, delete: true },
};

beforeAll(async () => {
  const ent = await owner('enterprise');
  const inst = await owner('institution');
  const exp = await owner('expert');
  const brk = await owner('broker');
  const org = await apiToken('organizer');
  const demand = await demandOf(ent.actor);
  const result = await resultOf(inst.actor);
  // A second set of owners: the "someone else" for every role.
  const ent2 = await owner('enterprise');
  const inst2 = await owner('institution');
  const exp2 = await owner('expert');
  const brk2 = await owner('broker');
  const demand2 = await demandOf(ent2.actor);
  const result2 = await resultOf(inst2.actor);
  world = {
    auth: { enterprise: ent.auth, institution: inst.auth, expert: exp.auth, broker: brk.auth, organizer: org.auth },
    own: {
      enterprise: { enterprises: ent.id, demands: demand.id },
      institution: { institutions: inst.id, results: result.id },
      expert: { experts: exp.id },
      broker: { brokers: brk.id },
    },
    other: { enterprises: ent2.id, institutions: inst2.id, experts: exp2.id, brokers: brk2.id, results: result2.id, demands: demand2.id },
  };
  // The broker works the first enterprise's need (see "assigned broker" below).
  await assignBroker(org.user, demand.id, brk.id);
}, 60_000);

const kinds: Kind[] = ['enterprises', 'institutions', 'experts', 'brokers', 'results', 'demands'];
const roles: RoleName[] = ['enterprise', 'institution', 'expert', 'broker'];
/** Which role owns which kind of record. */
const ownerships: [RoleName, Kind][] = [
  ['enterprise', 'enterprises'],
  ['enterprise', 'demands'],
  ['institution', 'institutions'],
  ['institution', 'results'],
  ['expert', 'experts'],
  ['broker', 'brokers'],
];

describe.each(kinds)('%s', (kind) => {
  it.each(roles)("when a %s reads, edits and deletes someone else's record, then reading works and changing is refused", async (role) => {
    const id = world.other[kind];
    const auth = world.auth[role];
    const read = await request(app).get(`/api/v1/${kind}/${id}`).set(auth);
    expect(read.status).toBe(200);
    expect(read.body.contact).toBeUndefined();
    // published and readable, so a change is refused as such
    const edit = await request(app).patch(`/api/v1/${kind}/${id}`).set(auth).send(patches[kind]);
    expect(edit.status, `edit → ${edit.status}`).toBe(403);
    const del = await request(app).delete(`/api/v1/${kind}/${id}`).set(auth);
    expect(del.status, `delete → ${del.status}`).toBe(403);
    // still there, unchanged
    const after = await request(app).get(`/api/v1/${kind}/${id}`).set(auth).expect(200);
    expect(JSON.stringify(after.body)).not.toContain('更新后的');
  });

  it.each(ownerships.filter(([, k]) => k === kind).map(([r]) => r))('when a %s works with its own record, then it may read it, and edit or delete it as the module allows', async (role) => {
    const id = world.own[role]![kind]!;
    const auth = world.auth[role];
    const read = await request(app).get(`/api/v1/${kind}/${id}`).set(auth);
    expect(read.status).toBe(200);
    expect(read.body.permissions).toMatchObject(ownerMay[kind]);
    const edit = await request(app).patch(`/api/v1/${kind}/${id}`).set(auth).send(patches[kind]);
    expect(edit.status).toBe(ownerMay[kind].edit ? 200 : 403);
    if (!ownerMay[kind].delete) {
      expect((await request(app).delete(`/api/v1/${kind}/${id}`).set(auth)).status).toBe(403);
    }
  });

  it('when an organizer edits anyone\'s record, then it works; and anonymous writes answer 401', async () => {
    const id = world.other[kind];
    await request(app).patch(`/api/v1/${kind}/${id}`).set(world.auth.organizer).send(patches[kind]).expect(200);
    expect((await request(app).patch(`/api/v1/${kind}/${id}`).send(patches[kind])).status).toBe(401);
    expect((await request(app).delete(`/api/v1/${kind}/${id}`)).status).toBe(401);
    expect((await request(app).get(`/api/v1/${kind}/${id}`)).status).toBe(200);
  });
});

describe("someone else's drafts", () => {
  it.each(roles)("when a %s reads, edits or deletes someone else's draft need or result, then each answers 404 like an unused id", async (role) => {
    const auth = world.auth[role];
    const ent = await owner('enterprise');
    const inst = await owner('institution');
    const drafts: [Kind, string][] = [
      ['demands', (await demandOf(ent.actor, { draft: true })).id],
      ['results', (await resultOf(inst.actor, { draft: true })).id],
    ];
    for (const [kind, id] of drafts) {
      const unused = randomBytes(12).toString('hex');
      for (const target of [id, unused]) {
        expect((await request(app).get(`/api/v1/${kind}/${target}`).set(auth)).status, `${kind} read`).toBe(404);
        expect((await request(app).patch(`/api/v1/${kind}/${target}`).set(auth).send(patches[kind])).status, `${kind} edit`).toBe(404);
        expect((await request(app).delete(`/api/v1/${kind}/${target}`).set(auth)).status, `${kind} delete`).toBe(404);
      }
      // untouched, and still there for its owner
      const mine = await request(app).get(`/api/v1/${kind}/${id}`).set(kind === 'demands' ? ent.auth : inst.auth).expect(200);
      expect(JSON.stringify(mine.body)).not.toContain('更新后的');
    }
  });
});

describe('deleting own records', () => {
  it('when owners delete their own need and result, then they are gone from reads', async () => {
    for (const [role, kind] of [
      ['enterprise', 'demands'],
      ['institution', 'results'],
    ] as const) {
      const id = world.own[role]![kind]!;
      await request(app).delete(`/api/v1/${kind}/${id}`).set(world.auth[role]).expect(204);
      expect((await request(app).get(`/api/v1/${kind}/${id}`).set(world.auth[role])).status).toBe(404);
    }
  });

  it('when an organizer deletes a profile, then it is gone', async () => {
    const id = world.other.experts;
    await request(app).delete(`/api/v1/experts/${id}`).set(world.auth.organizer).expect(204);
    expect((await request(app).get(`/api/v1/experts/${id}`)).status).toBe(404);
  });
});
