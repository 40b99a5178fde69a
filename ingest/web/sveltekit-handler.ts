import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Headers of ours through which each request tells adapter-node its origin (set below, per request). */
const PROTOCOL_HEADER = 'x-oee-protocol';
const HOST_HEADER = 'x-oee-host';

/**
 * What adapter-node is told, by the names it reads. The page origin (links, redirects, SvelteKit's
 * CSRF check of form posts) comes from these two headers: without them adapter-node assumes `https`
 * and the raw Host header, wrong over plain HTTP and behind a proxy. Express already knows the real
 * protocol and host (trust proxy aware, OEE_TRUST_PROXY in docs/operations.md), so it hands them over.
 */
const ADAPTER_NODE_SETTINGS = { PROTOCOL_HEADER, HOST_HEADER } as const;

/**
 * SvelteKit's adapter-node handler for the pages (`web/build/handler.js`), wrapped to pass the
 * request's origin; undefined (with a warning) when the web app has not been built.
 *
 * adapter-node can only be configured through process.env, which it reads once, while handler.js is
 * first imported: `setEnv` (env.ts's setAdapterNodeEnv, passed in by the composition root) puts the
 * settings there just before that import.
 */
export async function loadSvelteKitHandler(
  logger: Logger,
  setEnv: (settings: Readonly<Record<string, string>>) => void,
  file = resolve('web/build/handler.js'),
): Promise<RequestHandler | undefined> {
  if (!existsSync(file)) {
    logger.warn('web/build is missing: run `npm run build` to serve the web app');
    return undefined;
  }
  setEnv(ADAPTER_NODE_SETTINGS);
  const module = (await import(pathToFileURL(file).href)) as { handler: RequestHandler };
  return (req, res, next) => {
    req.headers[PROTOCOL_HEADER] = req.protocol;
    req.headers[HOST_HEADER] = req.get('host') ?? 'localhost';
    module.handler(req, res, next);
  };
}
