// The Handlebars view engine: one layout, partials for repeated pieces, helpers from helpers/ plus any the
// app adds. Templates live in views/<module>/ mirroring server/<module>/.
import path from 'node:path';
import type { Express } from 'express';
import { ExpressHandlebars } from 'express-handlebars';
import * as platformHelpers from './helpers/index.ts';
import { projectRoot } from '../paths.ts';

export const viewsRoot = path.join(projectRoot, 'views');

/**
 * express-handlebars gathers every partial afresh for each render (a promise per partial file, cached templates or
 * not): under load a fifth of a page's CPU time. With the view cache on, the set is gathered once per process.
 */
class KeptPartials extends ExpressHandlebars {
  private kept: ReturnType<ExpressHandlebars['getPartials']> | undefined;

  override getPartials(options?: Parameters<ExpressHandlebars['getPartials']>[0]): ReturnType<ExpressHandlebars['getPartials']> {
    if (!options?.cache) return super.getPartials(options);
    this.kept ??= super.getPartials(options).catch((err: unknown) => {
      this.kept = undefined;
      throw err;
    });
    return this.kept;
  }
}

export function configureViews(app: Express, extraHelpers: Record<string, (...args: never[]) => unknown>, opts: { reload: boolean }): void {
  const hbs = new KeptPartials({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsRoot, 'layouts'),
    partialsDir: path.join(viewsRoot, 'partials'),
    helpers: { ...platformHelpers, ...extraHelpers },
  });
  app.engine('hbs', hbs.engine);
  app.set('view engine', 'hbs');
  app.set('views', viewsRoot);
  // Compiled templates are kept, except while developing (RELOAD_VIEWS, set by `npm run dev`).
  app.set('view cache', !opts.reload);
}
