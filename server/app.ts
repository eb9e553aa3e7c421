// Builds the Express app from the platform pieces and the business modules. Never connects or listens:
// main.ts (and the tests) hand it a connected database, a search index and a logger.
import path from 'node:path';
import express, { type Express } from 'express';
import type { Config } from './platform/config.ts';
import type { Logger } from './platform/logger.ts';
import { Lifecycle } from './platform/lifecycle.ts';
import { configureViews, viewsRoot } from './platform/views/engine.ts';
import { requestContext } from './platform/http/request-context.ts';
import { securityHeaders } from './platform/http/security-headers.ts';
import { flatQueryParser, rejectDuplicateParams } from './platform/http/query.ts';
import { errorHandler, notFound } from './platform/http/error-handler.ts';
import { healthRoutes } from './platform/http/health.ts';
import { labelOf, optionsOf, type VocabularyName } from './vocabulary/index.ts';
import homeRoutes from './home/routes.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  lifecycle?: Lifecycle;
}

export const BODY_LIMIT = '100kb';

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', flatQueryParser);
  configureViews(app, {
    label: (vocabulary: VocabularyName, code: string) => labelOf(vocabulary, code),
    options: (vocabulary: VocabularyName) => optionsOf(vocabulary),
  });

  app.use(requestContext(logger));
  app.use(securityHeaders({ https: config.secureCookies }));
  app.use(healthRoutes(lifecycle));
  app.use('/assets/vendor/pico.min.css', (_req, res) =>
    res.sendFile(path.resolve(import.meta.dirname, '../node_modules/@picocss/pico/css/pico.blue.min.css'), { maxAge: '7d' }),
  );
  app.use('/assets', express.static(path.join(viewsRoot, 'assets'), { maxAge: '1h', index: false }));
  app.use(rejectDuplicateParams);
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 1000 }));

  app.use((req, res, next) => {
    res.locals.query = req.query;
    res.locals.path = req.path;
    next();
  });

  app.use(homeRoutes());

  app.use(notFound);
  app.use(errorHandler());
  return app;
}
