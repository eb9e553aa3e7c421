// The home page: what the platform is, where each section lives, and a few figures.
import { Router } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { homeStats, organizerQueues } from './service.ts';

export default function homeRoutes(): Router {
  const router = Router();
  router.get('/', async (req, res) =>
    res.render('home/index', { title: '首页', stats: await homeStats(), queues: isOrganizer(req.user) ? await organizerQueues() : undefined }),
  );
  return router;
}
