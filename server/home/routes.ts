// The home page: what the platform is, where each section lives, and a few figures.
import { Router } from 'express';
import { homeStats } from './service.ts';

export default function homeRoutes(): Router {
  const router = Router();
  router.get('/', async (_req, res) => res.render('home/index', { title: '首页', stats: await homeStats() }));
  return router;
}
