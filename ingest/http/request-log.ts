import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp, startTime } from 'pino-http';

/**
 * One log line per request (pino-http), without credentials or bodies. Successful device writes are
 * logged at `debug`; at a higher level their line is dropped, so for them the per-request logger
 * (a child logger, its serialised bindings, three response listeners) is only set up once something
 * may be logged: `req.log` is read (an error handler), or the answer is a failure (written with a
 * status ≥ 400). The lines written are the same either way.
 */
export function requestLog(
  logger: Logger,
  redactUrl: (url: string | undefined) => string | undefined,
  isDeviceWrite: (method: string | undefined, url: string | undefined) => boolean,
): RequestHandler {
  const http = pinoHttp({
    logger,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, url: redactUrl(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : isDeviceWrite(req.method, req.url) ? 'debug' : 'info',
  });
  const none = () => {};
  return (req, res, next) => {
    if (!isDeviceWrite(req.method, req.url) || logger.isLevelEnabled('debug')) return http(req, res, next);
    // pino-http's own start mark (it measures `Date.now() - start`), so the line's responseTime counts from here.
    // eslint-disable-next-line no-restricted-syntax
    (res as unknown as Record<symbol, number>)[startTime] = Date.now();
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      delete (req as { log?: unknown }).log;
      http(req, res, none);
    };
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get() {
        start();
        return req.log;
      },
      set(value: unknown) {
        Object.defineProperty(req, 'log', { configurable: true, enumerable: true, writable: true, value });
      },
    });
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
      if (status >= 400) start();
      return writeHead.apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}
