// The Handlebars view engine: one layout, partials for repeated pieces, helpers from helpers/ plus any the
// app adds. Templates live in views/<module>/ mirroring server/<module>/.
import path from 'node:path';
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import * as platformHelpers from './helpers/index.ts';

export const viewsRoot = path.resolve(import.meta.dirname, '../../../views');

export function configureViews(app: Express, extraHelpers: Record<string, (...args: never[]) => unknown>, opts: { reload: boolean }): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(viewsRoot, 'layouts'),
      partialsDir: path.join(viewsRoot, 'partials'),
      helpers: { ...platformHelpers, ...extraHelpers },
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', viewsRoot);
  // Compiled templates are kept, except while developing (RELOAD_VIEWS, set by `npm run dev`).
  app.set('view cache', !opts.reload);
}
