// Each module declares its own URLs, and `npm run cli -- routes` can say which module declares each route and
// who may call it (server/platform/http/route-list.ts).
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { routeList } from '../../server/platform/http/route-list.ts';

const { app } = buildTestApp();

/** The first segment of a URL (after /api/v1) → the module that owns that URL space. */
const OWNER: Record<string, string> = {
  demands: 'demands',
  results: 'results',
  experts: 'experts',
  brokers: 'brokers',
  enterprises: 'organizations',
  institutions: 'organizations',
  notifications: 'notifications',
  campaigns: 'campaigns',
  roadshows: 'campaigns',
  visits: 'campaigns',
  contracts: 'deals',
  talents: 'talents',
  targets: 'targets',
  'saved-searches': 'saved-searches',
  'contact-requests': 'matching',
  matches: 'matching',
};

describe('the route list', () => {
  const routes = routeList(app);

  it('when listed, then every route but the health checks belongs to a module, with its guard', () => {
    expect(routes.length).toBeGreaterThan(300);
    expect(routes.filter((r) => r.module === 'app').map((r) => r.path).sort()).toEqual(['/healthz', '/readyz']);
    expect(routes.find((r) => r.method === 'POST' && r.path === '/api/v1/demands/:id/claim')).toMatchObject({ module: 'demands', guard: 'roles: broker' });
    expect(routes.find((r) => r.method === 'GET' && r.path === '/notifications')).toMatchObject({ module: 'notifications', guard: 'signed in' });
    expect(routes.find((r) => r.method === 'GET' && r.path === '/demands')).toMatchObject({ guard: 'anyone' });
  });

  it('when a URL names a record type, then the module that owns that type declares it', () => {
    const misplaced = routes
      .map((r) => ({ ...r, segment: r.path.replace(/^\/api\/v1/, '').split('/')[1] ?? '' }))
      .filter((r) => OWNER[r.segment] && OWNER[r.segment] !== r.module)
      .map((r) => `${r.method} ${r.path} in ${r.module}`);
    expect(misplaced).toEqual([]);
  });
});
