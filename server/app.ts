// Builds the Express app from the platform pieces and the business modules. Never connects or listens:
// main.ts (and the tests) hand it a connected database, a search index and a logger.
import path from 'node:path';
import express, { Router, type Express, type RequestHandler } from 'express';
import cookieParser from 'cookie-parser';
import type { Config } from './platform/config.ts';
import type { Logger } from './platform/logger.ts';
import { Lifecycle } from './platform/lifecycle.ts';
import { configureViews, viewsRoot } from './platform/views/engine.ts';
import { projectRoot } from './platform/paths.ts';
import { requestContext } from './platform/http/request-context.ts';
import { requestIdScope } from './platform/request-id.ts';
import { mounted } from './platform/http/route-list.ts';
import { securityHeaders } from './platform/http/security-headers.ts';
import { flatQueryParser, rejectDuplicateParams } from './platform/http/query.ts';
import { databaseGate, errorHandler, notFound } from './platform/http/error-handler.ts';
import { healthRoutes } from './platform/http/health.ts';
import { sendKeptPage } from './platform/http/visitor-pages.ts';
import { labelOf, optionsOf, type VocabularyName } from './vocabulary/index.ts';
import { sessionMiddleware, absoluteTimeout, flash } from './platform/auth/session.ts';
import { configurePassport } from './platform/auth/passport.ts';
import { csrf, type Csrf } from './platform/auth/csrf.ts';
import { bearerAuth } from './platform/auth/bearer.ts';
import type { Role } from './platform/auth/actor.ts';
import * as accounts from './accounts/service.ts';
import homeRoutes from './home/routes.ts';
import accountRoutes from './accounts/routes.ts';
import { secondFactorGate } from './accounts/second-factor.ts';
import auditRoutes from './audit/routes.ts';
import organizationRoutes from './organizations/routes.ts';
import demandRoutes from './demands/routes.ts';
import resultRoutes from './results/routes.ts';
import importRoutes from './imports/routes.ts';
import searchRoutes from './search/routes.ts';
import matchingRoutes from './matching/routes.ts';
import notificationRoutes from './notifications/routes.ts';
import campaignRoutes from './campaigns/routes.ts';
import { unreadCount } from './notifications/service.ts';
import { organizerQueues } from './home/service.ts';
import type { SearchIndex } from './platform/search/port.ts';
import type { SearchSync } from './platform/search/sync.ts';
import { announceWhenIndexed } from './matching/alerts.ts';
import expertRoutes from './experts/routes.ts';
import brokerRoutes from './brokers/routes.ts';
import contractRoutes from './deals/routes.ts';
import talentRoutes from './talents/routes.ts';
import targetRoutes from './targets/routes.ts';
import mailRoutes, { unsubscribeRoutes } from './mail/routes.ts';
import membershipRoutes from './memberships/routes.ts';
import savedSearchRoutes from './saved-searches/routes.ts';
import vocabularyRoutes from './vocabulary/routes.ts';
import developerRoutes from './developers/routes.ts';
import { mailSettings } from './mail/service.ts';
import { provideMailSettings } from './mail/pages.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  lifecycle?: Lifecycle;
  /** the search engine lists and search read from (absent: lists read the database) */
  search?: SearchIndex;
  searchSync?: SearchSync;
}

export const BODY_LIMIT = '100kb';

/** The links each role sees in the header, besides the public sections. */
const navByRole: Record<Role, (profileId?: string) => { href: string; text: string }[]> = {
  enterprise: () => [
    { href: '/demands?mine=1', text: '我的需求' },
    { href: '/contact-requests', text: '对接申请' },
    // an enterprise's contract list holds only the contracts it is a party to (deals/service.ts scopeFilter)
    { href: '/contracts', text: '我的合同' },
    { href: '/talents', text: '人才引进' },
  ],
  institution: () => [
    { href: '/results?mine=1', text: '我的成果' },
    { href: '/contact-requests', text: '对接申请' },
  ],
  expert: (id) => [...(id ? [{ href: `/experts/${id}`, text: '我的主页' }, { href: '/itinerary', text: '我的行程' }] : []), { href: '/contact-requests', text: '对接申请' }],
  broker: () => [
    { href: '/broker', text: '工作台' },
    { href: '/contracts', text: '技术合同' },
  ],
  organizer: () => [
    { href: '/contact-requests', text: '对接申请' },
    { href: '/contracts', text: '合同与人才' },
  ],
};

/** The organizer's administration pages: one 管理 menu in the header (a <details>, so no script needed). */
const adminNav = [
  { href: '/admin/users', text: '用户管理' },
  { href: '/admin/claims', text: '加入申请' },
  { href: '/admin/invitations', text: '邀请账户' },
  { href: '/admin/imports', text: '数据导入' },
  { href: '/admin/search', text: '搜索索引' },
  { href: '/admin/audit', text: '审计日志' },
  { href: '/admin/mail', text: '邮件发件箱' },
];

/** A body parser for the methods that carry a body (GET and HEAD views, most of the traffic, skip its checks). */
const withBody =
  (parser: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' ? next() : parser(req, res, next);

/** Cookies, sessions, passport, flash messages and CSRF — for pages only. The API authenticates by bearer token. */
function pageSessionStack(config: Config, forms: Csrf): RequestHandler {
  const passport = configurePassport(accounts.loadSessionUser);
  const stack = Router();
  stack.use(cookieParser(config.sessionSecret)); // the API reads no cookie
  stack.use(
    sessionMiddleware({
      secret: config.sessionSecret,
      secure: config.secureCookies,
    }),
  );
  stack.use(passport.initialize({ compat: false })); // no strategy here predates passport 0.5: no req._passport per request
  stack.use(passport.session());
  stack.use((req, _res, next) => {
    if (req.user) req.authVia = 'session';
    next();
  });
  stack.use(absoluteTimeout, flash, forms.protect, forms.locals);
  return (req, res, next) => (req.path.startsWith('/api/') ? next() : stack(req, res, next));
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  const app = express();
  /** the public address (BASE_URL), for links that leave the site: calendar feeds, .ics files */
  app.locals.baseUrl = config.baseUrl;
  app.locals.search = deps.search;
  app.locals.searchSync = deps.searchSync;
  // Strong matches are announced once this process has indexed the write, whichever door it came through.
  if (deps.search && deps.searchSync) app.locals.announcer = announceWhenIndexed(deps.search, deps.searchSync, logger);
  provideMailSettings(app, mailSettings(config)); // rendering mail, checking unsubscribe links
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', flatQueryParser);
  configureViews(app, {
    labelOf: (vocabulary: VocabularyName, code: string) => labelOf(vocabulary, code),
    options: (vocabulary: VocabularyName) => optionsOf(vocabulary),
  }, { reload: config.reloadViews });

  app.use(requestContext(logger));
  app.use(requestIdScope); // the request id for work that outlives the request's logger (search sync)
  app.use(securityHeaders({ https: config.secureCookies }));
  app.use(healthRoutes(lifecycle));
  app.use('/assets/vendor/pico.min.css', (_req, res) =>
    res.sendFile(path.join(projectRoot, 'node_modules/@picocss/pico/css/pico.blue.min.css'), { maxAge: '7d' }),
  );
  app.use('/assets', express.static(path.join(viewsRoot, 'assets'), { maxAge: '1h', index: false }));
  app.use(databaseGate()); // everything below reads the database: 503 at once while it is down
  app.use(rejectDuplicateParams);
  // A visitor's kept page (the search page, lists from the index) needs no session or routing: sent from here.
  app.use(sendKeptPage);
  app.use(withBody(express.json({ limit: BODY_LIMIT })));
  app.use(withBody(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 1000 })));
  app.use(mounted('mail', unsubscribeRoutes())); // before sessions and CSRF: mail clients post it (mail/routes.ts)
  const forms = csrf({ secret: config.sessionSecret, secure: config.secureCookies });
  app.locals.csrf = forms;
  app.use(pageSessionStack(config, forms));
  app.use(secondFactorGate);
  app.use('/api/', bearerAuth(accounts.authenticateToken));

  // What the layout shows: pages only (the API answers JSON; working out a role's links cost a search API call
  // a few percent).
  app.use((req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    res.locals.query = req.query;
    res.locals.path = req.path;
    res.locals.currentUser = req.user;
    const active = req.user?.status === 'active';
    res.locals.navForRole = active ? navByRole[req.user!.role](req.user!.profile?.id) : [];
    res.locals.adminNav = active && req.user!.role === 'organizer' ? adminNav.map((l) => ({ ...l, current: req.path.startsWith(l.href) })) : undefined;
    next();
  });
  // Header data for signed-in page views: kept on write and cached in process (home/service.ts,
  // notifications/service.ts, platform/db/shared-cache.ts), so a page view usually reads nothing for it.
  // Organizers: the review queues in the 管理 menu and the open contact requests beside 对接申请.
  app.use(async (req, res, next) => {
    if (res.locals.adminNav && req.authVia === 'session' && req.method === 'GET') {
      const { claims, registrations: users, contactRequests: open } = await organizerQueues();
      const counts: Record<string, number> = { '/admin/claims': claims, '/admin/users': users };
      res.locals.adminNav = (res.locals.adminNav as { href: string }[]).map((l) => ({ ...l, count: counts[l.href] }));
      res.locals.adminCount = claims + users;
      res.locals.navForRole = (res.locals.navForRole as { href: string }[]).map((l) => (l.href === '/contact-requests' ? { ...l, count: open } : l));
    }
    next();
  });
  // The unread count in the header, for logged-in page views.
  app.use(async (req, res, next) => {
    if (req.user && req.authVia === 'session' && req.method === 'GET') res.locals.unreadCount = await unreadCount(req.user);
    next();
  });

  app.use(mounted('home', homeRoutes()));
  app.use(mounted('accounts', accountRoutes()));
  app.use(mounted('audit', auditRoutes()));
  app.use(mounted('organizations', organizationRoutes()));
  app.use(mounted('demands', demandRoutes()));
  app.use(mounted('results', resultRoutes()));
  app.use(mounted('imports', importRoutes()));
  app.use(mounted('search', searchRoutes()));
  app.use(mounted('matching', matchingRoutes()));
  app.use(mounted('notifications', notificationRoutes()));
  app.use(mounted('campaigns', campaignRoutes()));
  app.use(mounted('experts', expertRoutes()));
  app.use(mounted('brokers', brokerRoutes()));
  app.use(mounted('deals', contractRoutes()));
  app.use(mounted('talents', talentRoutes()));
  app.use(mounted('targets', targetRoutes()));
  app.use(mounted('mail', mailRoutes()));
  app.use(mounted('memberships', membershipRoutes()));
  app.use(mounted('saved-searches', savedSearchRoutes()));
  app.use(mounted('vocabulary', vocabularyRoutes()));
  app.use(mounted('developers', developerRoutes())); // last: its document lists the routes above

  app.use(notFound);
  app.use(errorHandler());
  return app;
}
