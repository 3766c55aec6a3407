import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from './config';
import type { Db } from './db/database';
import { pingDatabase } from './db/database';
import { AppError, errorHandler, notFound } from './errors';
import type { Logger } from './logger';
import { requestContext } from './http/request-context';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /** Where the built panel lives (Vite's outDir); tests may point elsewhere. */
  panelDir?: string;
}

/** Builds the Express app. Never listens: server/index.ts does, and tests drive it directly. */
export function createApp(deps: AppDeps): Express {
  const { config, logger, db } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestContext(logger));
  app.use(
    helmet({
      // The panel lives in GHL's iframe: only GHL's app domains (and configured white-label ones) may frame it.
      contentSecurityPolicy: {
        directives: {
          'frame-ancestors': ["'self'", ...config.frameAncestors],
          'script-src': ["'self'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
        },
      },
      frameguard: false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.get('/healthz', async (_req, res) => {
    const database = await pingDatabase(db);
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'unavailable', database });
  });

  mountPanel(app, deps.panelDir ?? path.resolve('dist/client'));

  app.use((_req, _res, next) => next(notFound('Route')));
  app.use(errorHandler(logger));
  return app;
}

/** Serves the built Vue panel at `/` and `/app/*` (history-mode routes fall back to index.html). */
function mountPanel(app: Express, panelDir: string): void {
  app.use('/assets', express.static(path.join(panelDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  app.get(['/', '/app', '/app/*splat'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(panelDir, 'index.html'), (err) => {
      if (err) next(new AppError(503, 'panel_not_built', 'The panel is not built yet: run `npm run build`'));
    });
  });
}
