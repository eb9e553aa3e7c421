// Each module declares its own URLs, and `npm run cli -- routes` can say which module declares each route and
// who may call it (server/platform/http/route-list.ts).
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { pathHead, routeList } from '../../server/platform/http/route-list.ts';

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

// mounted() lets a request pass a module router none of whose routes can match it (route-list.ts).
describe('passing routers by the start of the path', () => {
  it('when a path is read for its start, then it is its first segment, or three under /api, in lower case', () => {
    expect(pathHead('/contracts/:id/edit')).toBe('contracts');
    expect(pathHead('/api/v1/contracts/:id')).toBe('api/v1/contracts');
    expect(pathHead('/API/V1/Search')).toBe('api/v1/search');
    expect(pathHead('/')).toBe('');
    expect(pathHead('/:token')).toBeUndefined();
    expect(pathHead('/api/:version/x')).toBeUndefined();
    expect(pathHead('/%63ontracts')).toBeUndefined();
  });

  it('when every page route without a parameter is asked for, then its module answers it (none is passed by mistake)', async () => {
    const plain = routeList(app).filter((r) => r.method === 'GET' && !/[:*{]/.test(r.path) && r.module !== 'app');
    expect(plain.length).toBeGreaterThan(60);
    const unanswered: string[] = [];
    for (const r of plain) {
      const res = await request(app).get(r.path).redirects(0);
      // a route's own 404 is a problem document or page naming what is missing; the app's is the generic one
      if (res.status === 404 && /页面不存在|Not Found/i.test(res.text)) unanswered.push(r.path);
    }
    expect(unanswered).toEqual([]);
  });

  it('when a path differs only in case or ends with a slash, then it is answered as Express matches it', async () => {
    await request(app).get('/DEMANDS').expect(200);
    await request(app).get('/demands/').expect(200);
    await request(app).get('/API/V1/search').query({ q: '磷' }).expect(200);
    await request(app).get('/developers').expect(200); // the last router mounted
    await request(app).get('/no-such-section').expect(404);
  });
});
