// The home page: what the platform is and where each section lives.
import { Router } from 'express';

export default function homeRoutes(): Router {
  const router = Router();
  router.get('/', (_req, res) => res.render('home/index', { title: '首页' }));
  return router;
}
