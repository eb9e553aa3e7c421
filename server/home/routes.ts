// The home page: what the platform is, where each section lives, and a few figures.
import { Router } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { homeStats, organizerQueues, type HomeStats } from './service.ts';
import { keptBodies, sendWithKeptBody } from '../platform/http/kept-body.ts';

/**
 * The page's body is kept per kind of viewer (organizers see the bureau's queues, visitors the sign-up links) and
 * per count of the figures (recounted at most once a minute), until a queue changes ('queues').
 */
const keptHomes = keptBodies('queues', 30);
/** a number for each count of the figures, for the key */
const countNumbers = new WeakMap<HomeStats, number>();
let lastNumber = 0;

export default function homeRoutes(): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const stats = await homeStats();
    if (!countNumbers.has(stats)) countNumbers.set(stats, ++lastNumber);
    const organizer = isOrganizer(req.user);
    await sendWithKeptBody(req, res, {
      bodies: keptHomes,
      key: `${organizer ? 'organizer' : req.user ? 'signed-in' : 'visitor'}|${countNumbers.get(stats)}`,
      view: 'home/index',
      locals: async () => ({ title: '首页', stats, queues: organizer ? await organizerQueues() : undefined }),
    });
  });
  return router;
}
