import cookieParser from 'cookie-parser';
import express, { type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError, errorBody } from '../core/errors.js';
import { legacyBrowserRefusal, requestOrigin } from '../core/net/browser-origin.js';
import { authenticate } from './http/authenticate.js';
import { errorMapper, notFoundApi } from './http/errors.middleware.js';
import { apiOffGate, type HttpSurface } from './http/role-gate.js';
import { RouteTable } from './http/route.js';
import { requestLog } from './http/request-log.js';
import { refuseDeepJson, textGuard } from './http/text-guard.js';
import type { AppServices } from '../services/app-services.js';
import { registerLoginForm, registerSessionRoutes } from './routes/session.routes.js';
import { registerAlertRoutes } from './routes/alerts.routes.js';
import { registerAndonRoutes } from './routes/andon.routes.js';
import { registerHistoryEditRoutes } from './routes/history-edit.routes.js';
import { LEGACY_DEVICE_PATHS, registerLegacyDeviceRoutes } from './routes/legacy-device.routes.js';
import { LEGACY_OEE_PATHS } from './routes/legacy-oee.routes.js';
import { LEGACY_TABLET_PATHS, legacyTabletBodies, legacyTabletErrors, registerLegacyTabletRoutes } from './routes/legacy-tablet.routes.js';
import { registerOeeRoutes } from './routes/oee.routes.js';
import { registerPartRoutes } from './routes/parts.routes.js';
import { registerMqttRoutes } from './routes/mqtt.routes.js';
import { registerResultRoutes } from './routes/results.routes.js';
import { registerSetupRoutes } from './routes/setup.routes.js';
import { registerShopFloorRoutes } from './routes/shop-floor.routes.js';
import { registerSystemRoutes } from './routes/system.routes.js';
import { registerVerifyRoutes } from './routes/verify.routes.js';

/** Largest JSON body accepted (an events batch of 5 000 fits comfortably). */
export const JSON_BODY_LIMIT = '2mb';

export interface HttpAppOptions {
  trustProxy: string;
  /** OEE_ALLOWED_HOSTS: names the legacy routes answer to (IP literals and localhost always). */
  allowedHosts: readonly string[];
  /** OEE_FRAME_ANCESTORS: origins whose pages may frame /wall (none by default). */
  frameAncestors?: readonly string[];
  /** What this instance serves by its OEE_ROLES (ingest/http/role-gate.ts). */
  serves: HttpSurface;
  /** SvelteKit's adapter-node handler, mounted last. */
  webHandler?: RequestHandler;
}

export function createHttpApp(deps: AppServices, options: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(options.trustProxy));
  app.set('query parser', 'simple');

  app.use(requestLog(deps.logger, redactUrl, isDeviceWrite));
  // SvelteKit sends its own nonce-based CSP for pages; the API gets a deny-all one below.
  // Framing and HSTS are decided below, not by helmet's defaults. `same-origin` referrers: under helmet's
  // `no-referrer` browsers send `Origin: null` on the app's own form posts and fetches, and the CSRF
  // check needs the real origin (other sites still get no Referer).
  const helmetHeaders = staticHeaders(
    helmet({
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false,
      xFrameOptions: false,
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(framingAndTransport(helmetHeaders, options.frameAncestors ?? []));
  // Without the ingest role only the health check answers under /api and at the DigitME2 paths.
  if (!options.serves.api) app.use(['/api', ...LEGACY_PATHS], apiOffGate());
  app.use(cookieParser());
  app.use(authenticate(deps.authenticator));

  const api = express.Router();
  // Devices and DigitME2 tablets are never browsers: refuse browser pages of other sites and unknown Host names.
  api.use(LEGACY_PATHS, legacyBrowserGuard(options.allowedHosts));
  api.use('/api/v1', crossSiteWriteGuard(options.allowedHosts));
  api.use('/api', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use('/api', express.json({ limit: JSON_BODY_LIMIT, strict: false, verify: refuseDeepJson }));
  api.use('/api', textGuard);
  // The DigitME2 tablet app at the root path: its own body parsing, and failures answered its way (200).
  api.use(LEGACY_TABLET_PATHS, legacyTabletBodies);
  // Device writes first (their paths are unique, so the answer is the same wherever they sit).
  const deviceWrites = express.Router();
  api.use(deviceWrites);
  const routes = new RouteTable(api, { router: deviceWrites, paths: DEVICE_WRITE_PATHS });
  registerSystemRoutes(routes, deps);
  registerSessionRoutes(routes, deps);
  registerSetupRoutes(routes, deps);
  registerPartRoutes(routes, deps);
  registerMqttRoutes(routes, deps);
  registerOeeRoutes(routes, deps);
  registerShopFloorRoutes(routes, deps);
  registerAndonRoutes(routes, deps);
  registerResultRoutes(routes, deps);
  registerHistoryEditRoutes(routes, deps);
  registerVerifyRoutes(routes, deps);
  registerAlertRoutes(routes, deps);
  registerLegacyDeviceRoutes(routes, deps);
  registerLegacyTabletRoutes(routes, deps);
  for (const route of routes.routes) {
    if (route.tag === 'legacy' && !LEGACY_PATHS.includes(route.path))
      throw new Error(`Legacy route ${route.path} is missing from LEGACY_PATHS`);
  }
  api.use(LEGACY_TABLET_PATHS, legacyTabletErrors);
  api.use('/api', notFoundApi);
  api.use(errorMapper);
  app.use(api);

  // The pages' sign-in and sign-out forms go with the pages (the web role).
  if (options.serves.pages) {
    app.use(['/login', '/logout'], crossSiteFormGuard(options.allowedHosts), express.urlencoded({ extended: false, limit: '16kb' }));
    registerLoginForm(app, deps);
  }

  if (options.webHandler) app.use(options.webHandler);
  app.use(errorMapper);
  return { app, routes };
}

/** The paths devices post every state change to: their successful answers are logged at `debug` (docs/operations.md). */
const DEVICE_WRITE_PATHS = new Set(['/api/v1/events', ...LEGACY_DEVICE_PATHS]);
const isDeviceWrite = (method: string | undefined, url: string | undefined) =>
  method === 'POST' && DEVICE_WRITE_PATHS.has((url ?? '').split('?')[0]!);

/** Every DigitME2 path (legacy-api.md). */
const LEGACY_PATHS = [...LEGACY_TABLET_PATHS, ...LEGACY_DEVICE_PATHS, ...LEGACY_OEE_PATHS];

function legacyBrowserGuard(allowedHosts: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const refusal = legacyBrowserRefusal(req.headers, allowedHosts);
    if (refusal === null) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.status(403).json(errorBody(AppError.forbidden(refusal)));
  };
}

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
/** The hosts a request was addressed to: its Host header, and X-Forwarded-Host through a trusted proxy. */
const ownHosts = (req: Request) => [req.headers.host, req.host];

/**
 * CSRF: a write that does not carry an API key (so a session cookie, or nothing yet, as a sign-in) is
 * refused when a browser says it comes from another origin (Origin, or Referer without Origin).
 */
function crossSiteWriteGuard(allowedHosts: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (isSafeMethod(req.method) || req.headers.authorization?.startsWith('Bearer ')) return next();
    if (requestOrigin(req.headers, ownHosts(req), allowedHosts) === 'foreign')
      return next(AppError.forbidden('Cross-site request refused: this request did not come from a page of this app'));
    next();
  };
}

/** The same for the HTML sign-in and sign-out forms. */
function crossSiteFormGuard(allowedHosts: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (isSafeMethod(req.method) || requestOrigin(req.headers, ownHosts(req), allowedHosts) !== 'foreign') return next();
    res.status(403).type('text/plain').send('Cross-site request refused: sign in from a page of this app.');
  };
}

/**
 * One framing rule in both headers: nothing may be framed (`X-Frame-Options: DENY`, CSP `frame-ancestors
 * 'none'`), except /wall by the origins of OEE_FRAME_ANCESTORS. X-Frame-Options cannot name a list, so
 * it is left out there and CSP decides. The CSP of pages is SvelteKit's: the web hook writes
 * `req.frameAncestors` into it. HSTS only on HTTPS (it means nothing over plain HTTP and misleads).
 */
function framingAndTransport(helmetHeaders: readonly (readonly [string, string])[], frameAncestors: readonly string[]): RequestHandler {
  return (req, res, next) => {
    for (const [name, value] of helmetHeaders) res.setHeader(name, value);
    const wall = req.path === '/wall' || req.path.startsWith('/wall/');
    if (wall && frameAncestors.length > 0) req.frameAncestors = frameAncestors.join(' ');
    else {
      req.frameAncestors = "'none'";
      res.setHeader('X-Frame-Options', 'DENY');
    }
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

/**
 * The headers a helmet middleware sets. Its options here make them the same on every answer, so they
 * are taken once (running it on a stand-in answer) and set in one loop instead of ten middlewares.
 */
function staticHeaders(middleware: RequestHandler): [string, string][] {
  const headers: [string, string][] = [];
  let done = false;
  const res = {
    setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]),
    removeHeader: () => {}, // X-Powered-By: the app never sends it (app.disable above)
  };
  void middleware(
    { headers: {} } as never,
    res as never,
    ((err?: unknown) => {
      if (err) throw err instanceof Error ? err : new Error(String(err));
      done = true;
    }) as never,
  );
  if (!done) throw new Error('helmet did not set its headers synchronously');
  return headers;
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
