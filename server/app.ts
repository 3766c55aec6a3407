import type { RequestListener } from 'node:http';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import type { Services } from './container';
import { AppError, errorHandler, notFound } from './errors';
import { customJsRouter } from './http/custom-js-route';
import { healthRouter } from './http/health-route';
import { panelApiRouter } from './http/panel-api-router';
import { sessionRateLimit, webhookRateLimit } from './http/public-rate-limit';
import type { NodeMiddleware } from './http/node-http';
import { requestContext } from './http/request-context';
import { securityHeaders } from './http/security-headers';
import { webhookLane } from './http/webhook-lane';
import { installRouter } from './oauth/install-routes';
import { ghlWebhookRouter } from './webhooks/ghl-webhook-route';
import { responderWebhookRoute } from './webhooks/responder-webhook-route';

export interface AppDeps extends Services {
  /** Where the built panel lives (Vite's outDir); tests may point elsewhere. */
  panelDir?: string;
  /** Sandbox mode only: the simulators and the /sandbox page, mounted on the app's own server. */
  sandbox?: Router;
}

/**
 * Builds the app: the Express app, behind the webhook lane that answers Responder Live's webhooks itself
 * (http/webhook-lane.ts). Never listens: server/index.ts does, and tests drive it directly.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { config, logger } = deps;
  const context = requestContext(logger);
  const headers = securityHeaders({
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
  });
  // Public endpoints are rate limited per key/IP; the limiter only ever answers 429, which both GHL and Responder
  // Live retry (any other 4xx makes Responder delete the webhook). One limiter, so the lane and Express share budgets.
  const webhookLimit = webhookRateLimit({ format: 'webhook' });

  const app = createExpressApp(deps, [context, headers], webhookLimit);
  const responder = responderWebhookRoute({
    connections: deps.connections,
    inbox: deps.inbox,
    logger,
    defaultCountry: (locationId) => deps.settings.defaultCountry(locationId),
  });
  return webhookLane({ routes: [responder], before: [context, headers, webhookLimit], logger }, app);
}

/** Every route but Responder Live's webhook. */
function createExpressApp(deps: AppDeps, common: readonly NodeMiddleware[], webhookLimit: NodeMiddleware): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Responses are per-user JSON: hashing each for an ETag cost more than the rare 304 it could save.
  app.set('etag', false);
  app.set('trust proxy', true);
  for (const middleware of common) app.use(middleware);

  // Webhooks first: every router mounted before them is tried on each one.
  app.use('/webhooks', webhookLimit);
  app.use('/api/session', sessionRateLimit());
  // Webhook routes read their own raw bodies (signatures are over the exact bytes): no global body parser.
  app.use(ghlWebhookRouter({ ...deps, metrics: deps.metrics }));
  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(installRouter(deps));
  app.use(panelApiRouter(deps));
  app.use(customJsRouter(config));
  if (deps.sandbox) app.use(deps.sandbox);

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
