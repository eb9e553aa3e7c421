// GET /healthz: the process is alive — also while it restarts a dead embedded database, but 503 once
// recovery has failed and it is about to exit. GET /readyz: it can serve — database and search answer, and
// it is not shutting down (503 then, so a load balancer stops sending traffic).
import { Router } from 'express';
import type { Lifecycle } from '../lifecycle.ts';

export function healthRoutes(lifecycle: Lifecycle): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (lifecycle.failure) return void res.status(503).json({ status: 'failing' }); // the reason is in the log
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results: Record<string, unknown> = {};
    let ok = !lifecycle.shuttingDown;
    await Promise.all(
      lifecycle.checks.map(async (c) => {
        const r = await c.check().catch((err: Error) => ({ ok: false, detail: { error: err.message } }));
        results[c.name] = { ok: r.ok, ...r.detail };
        ok &&= r.ok;
      }),
    );
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ready' : lifecycle.shuttingDown ? 'shutting-down' : 'unavailable', checks: results });
  });
  return router;
}
