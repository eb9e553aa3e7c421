// Accessibility of the main pages on the full demo data (issue 9): axe-core (WCAG 2.x A/AA and best practices)
// finds nothing serious or critical, and every form control has an accessible name in Chromium's own
// accessibility tree. Folded <details> are opened first, so the forms inside them are checked too. Every
// violation found, of any impact, is listed in test-results/a11y-report.txt.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { Demand, type DemandDoc } from '../../server/demands/model.ts';
import { Result, type ResultDoc } from '../../server/results/model.ts';
import { Expert, type ExpertDoc } from '../../server/experts/model.ts';
import { Roadshow, type RoadshowDoc } from '../../server/campaigns/model.ts';
import { findByEmail } from '../../server/accounts/service.ts';
import { buildTestApp } from '../support/app.ts';
import { repoRoot } from '../support/process.ts';
import { axeViolations, describeViolations, login, openAllDetails, SEVERE, unnamedControls, useBrowser } from '../support/browser.ts';

// The demo as of this moment, so the figures and the 2026 campaigns are the same on every run.
const DEMO_NOW = new Date('2026-11-27T02:00:00Z');
const YEAR = 2026;
const REPORT = path.join(repoRoot, 'test-results', 'a11y-report.txt');

const t = buildTestApp();
const b = useBrowser(t.app);
const ids = { need: '', brokerNeed: '', result: '', expert: '', roadshow: '', institution: '' };

beforeAll(async () => {
  await seedDemo(DEMO_NOW);
  await t.settle();
  const byTitle = <T extends { title: string }>(docs: T[]) => docs.sort((a, c) => a.title.localeCompare(c.title, 'zh-CN'));
  const needs = byTitle(await Demand.find({ deletedAt: null, status: 'published' }).lean<DemandDoc[]>());
  ids.need = String(needs.find((d) => d.industry === 'chemicals')!._id);
  const brokerProfile = (await findByEmail('jingjiren@dongbao.demo'))!.profile!.id;
  const assigned = byTitle(await Demand.find({ deletedAt: null, broker: brokerProfile }).lean<DemandDoc[]>());
  ids.brokerNeed = String(assigned[0]!._id);
  ids.result = String(byTitle(await Result.find({ deletedAt: null, status: 'published', industry: 'chemicals' }).lean<ResultDoc[]>())[0]!._id);
  const experts = (await Expert.find({ deletedAt: null }).lean<ExpertDoc[]>()).sort((a, c) => a.name.localeCompare(c.name, 'zh-CN'));
  ids.expert = String(experts[0]!._id);
  ids.institution = String((await Result.findById(ids.result).lean<ResultDoc>())!.institution);
  ids.roadshow = String((await Roadshow.findOne({ title: '磷化工与新材料专场' }).lean<RoadshowDoc>())!._id);
  mkdirSync(path.dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, `axe-core on the demo data (${DEMO_NOW.toISOString()}), all impacts\n\n`);
}, 240_000);

type Who = 'visitor' | 'enterprise' | 'broker' | 'organizer';
const ACCOUNTS: Record<Exclude<Who, 'visitor'>, string> = {
  enterprise: 'qiye@dongbao.demo',
  broker: 'jingjiren@dongbao.demo',
  organizer: 'kjj@dongbao.demo',
};

const PAGES: { name: string; path: () => string; as: Who }[] = [
  { name: 'home', path: () => '/', as: 'visitor' },
  { name: 'needs', path: () => '/demands', as: 'visitor' },
  { name: 'a need', path: () => `/demands/${ids.need}`, as: 'visitor' },
  { name: 'results', path: () => '/results', as: 'visitor' },
  { name: 'a result', path: () => `/results/${ids.result}`, as: 'visitor' },
  { name: 'experts', path: () => '/experts', as: 'visitor' },
  { name: 'an expert', path: () => `/experts/${ids.expert}`, as: 'visitor' },
  { name: 'search', path: () => `/search?q=${encodeURIComponent('磷石膏')}`, as: 'visitor' },
  { name: 'login', path: () => '/login', as: 'visitor' },
  { name: 'register', path: () => '/register', as: 'visitor' },
  { name: 'campaigns', path: () => '/campaigns', as: 'visitor' },
  { name: 'roadshows', path: () => '/roadshows?when=all', as: 'visitor' },
  { name: 'a roadshow', path: () => `/roadshows/${ids.roadshow}`, as: 'visitor' },
  { name: 'calendar', path: () => '/calendar?view=month&date=2026-12-01', as: 'visitor' },
  { name: 'dashboard', path: () => `/targets?year=${YEAR}`, as: 'visitor' },
  { name: 'target plan', path: () => `/targets/plan?year=${YEAR}`, as: 'visitor' },
  { name: 'not found', path: () => '/demands/000000000000000000000000', as: 'visitor' },
  { name: 'my needs', path: () => '/demands?mine=1', as: 'enterprise' },
  { name: 'new need', path: () => '/demands/new', as: 'enterprise' },
  { name: 'a result, enterprise', path: () => `/results/${ids.result}`, as: 'enterprise' },
  { name: 'contact requests', path: () => '/contact-requests', as: 'enterprise' },
  { name: 'account', path: () => '/account', as: 'enterprise' },
  { name: 'broker queue', path: () => '/broker', as: 'broker' },
  { name: 'pipeline', path: () => `/demands/${ids.brokerNeed}/pipeline`, as: 'broker' },
  { name: 'new contract', path: () => '/contracts/new', as: 'broker' },
  { name: 'contracts', path: () => '/contracts', as: 'organizer' },
  { name: 'dashboard, organizer', path: () => `/targets?year=${YEAR}`, as: 'organizer' },
  { name: 'new target', path: () => '/targets/plan/new', as: 'organizer' },
  { name: 'a need, organizer', path: () => `/demands/${ids.need}`, as: 'organizer' },
  { name: 'a roadshow, organizer', path: () => `/roadshows/${ids.roadshow}`, as: 'organizer' },
  { name: 'new roadshow', path: () => '/roadshows/new', as: 'organizer' },
  { name: 'contact-request queue', path: () => '/contact-requests', as: 'organizer' },
  { name: 'accounts of an institution', path: () => `/admin/accounts/institution/${ids.institution}`, as: 'organizer' },
  { name: 'bulk invitations', path: () => '/admin/invitations?kind=institution', as: 'organizer' },
  { name: 'claims', path: () => '/admin/claims?status=', as: 'organizer' },
];

describe('accessibility', () => {
  it.each(PAGES.map((p) => [p.as, p.name, p] as const))('when a %s opens %s, then axe finds nothing serious or critical and every control is named', async (as, name, { path: pathOf }) => {
    const page = await b.page();
    if (as !== 'visitor') await login(page, ACCOUNTS[as], DEMO_PASSWORD);
    const target = pathOf();
    const res = await page.goto(target);
    expect(res?.status(), `${target}`).toBe(name === 'not found' ? 404 : 200);
    await openAllDetails(page);

    const violations = await axeViolations(page);
    const where = `${name} (${target}, as ${as})`;
    appendFileSync(REPORT, `${describeViolations(where, violations)}\n\n`);
    const severe = violations.filter((v) => SEVERE.has(v.impact ?? ''));
    expect(severe, describeViolations(where, severe)).toEqual([]);

    const unnamed = await unnamedControls(page);
    expect(unnamed, `${where}: form controls without an accessible name:\n  ${unnamed.join('\n  ')}`).toEqual([]);
  }, 60_000);
});
