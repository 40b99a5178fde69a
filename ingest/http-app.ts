import cookieParser from 'cookie-parser';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorMapper, notFoundApi } from './http/errors.middleware.js';
import { RouteTable } from './http/route.js';
import { textGuard } from './http/text-guard.js';
import type { IngestDeps } from './ingest-deps.js';
import { registerLoginForm, registerSessionRoutes } from './routes/session.routes.js';
import { registerHistoryEditRoutes } from './routes/history-edit.routes.js';
import { registerLegacyDeviceRoutes } from './routes/legacy-device.routes.js';
import { LEGACY_TABLET_PATHS, legacyTabletBodies, legacyTabletErrors, registerLegacyTabletRoutes } from './routes/legacy-tablet.routes.js';
import { registerOeeRoutes } from './routes/oee.routes.js';
import { registerResultRoutes } from './routes/results.routes.js';
import { registerSetupRoutes } from './routes/setup.routes.js';
import { registerShopFloorRoutes } from './routes/shop-floor.routes.js';
import { registerSystemRoutes } from './routes/system.routes.js';
import { registerVerifyRoutes } from './routes/verify.routes.js';

/** Largest JSON body accepted (an events batch of 5 000 fits comfortably). */
export const JSON_BODY_LIMIT = '2mb';

export interface HttpAppOptions {
  trustProxy: string;
  /** SvelteKit's adapter-node handler, mounted last. */
  webHandler?: RequestHandler;
}

export function createHttpApp(deps: IngestDeps, options: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(options.trustProxy));
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: deps.logger,
      // One line per request, without credentials or bodies.
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url) }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  // SvelteKit sends its own nonce-based CSP for pages; the API gets a deny-all one below.
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  app.use(cookieParser());
  app.use(deps.authenticator.middleware);

  const api = express.Router();
  api.use('/api', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use('/api', express.json({ limit: JSON_BODY_LIMIT, strict: false }));
  api.use('/api', textGuard);
  // The DigitME2 tablet app at the root path: its own body parsing, and failures answered its way (200).
  api.use(LEGACY_TABLET_PATHS, legacyTabletBodies);
  const routes = new RouteTable(api);
  registerSystemRoutes(routes, deps);
  registerSessionRoutes(routes, deps);
  registerSetupRoutes(routes, deps);
  registerOeeRoutes(routes, deps);
  registerShopFloorRoutes(routes, deps);
  registerResultRoutes(routes, deps);
  registerHistoryEditRoutes(routes, deps);
  registerVerifyRoutes(routes, deps);
  registerLegacyDeviceRoutes(routes, deps, deps.legacyAnonymous);
  registerLegacyTabletRoutes(routes, deps);
  api.use(LEGACY_TABLET_PATHS, legacyTabletErrors);
  api.use('/api', notFoundApi);
  api.use(errorMapper);
  app.use(api);

  app.use(['/login', '/logout'], express.urlencoded({ extended: false, limit: '16kb' }));
  registerLoginForm(app, deps);

  if (options.webHandler) app.use(options.webHandler);
  app.use(errorMapper);
  return { app, routes };
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Tokens may travel in query strings (wall screens: `?token=`); never log them. */
function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:token|key|password|pin|device_uuid)=)[^&]*/gi, '$1[redacted]');
}
