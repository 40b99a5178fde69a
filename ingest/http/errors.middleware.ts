import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, errorBody } from '../../core/errors.js';
import { databaseFailure, type DatabaseFailure } from '../../services/database-failure.js';

/** zod issues as the API's `issues`: path and message. */
export function fromZod(error: ZodError, message = 'Invalid input', pathPrefix: (string | number)[] = []): AppError {
  return AppError.invalid(
    message,
    error.issues.map((i) => ({ path: [...pathPrefix, ...(i.path as (string | number)[])], message: i.message })),
  );
}

/** Maps every error to `{error: {code, message, issues?}}`. A 5xx is a bug or an outage, logged as such. */
export const errorMapper: ErrorRequestHandler = (err, req, res, _next) => {
  let appError: AppError;
  let database: DatabaseFailure | null;
  if (err instanceof AppError) appError = err;
  else if (err instanceof ZodError) appError = fromZod(err);
  else if (err?.type === 'entity.parse.failed') appError = new AppError('malformed_json', 400, 'The body is not valid JSON');
  else if (err?.type === 'entity.too.large') appError = new AppError('payload_too_large', 413, 'The body is too large');
  else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported')
    appError = AppError.invalid('Unsupported body encoding');
  else if (err?.status === 400 && typeof err?.type === 'string') appError = AppError.invalid(String(err.message));
  // Values PostgreSQL cannot take (defence in depth behind the text guard) are the caller's fault;
  // a database that is away or out of resources is a 503 to retry later.
  else if ((database = databaseFailure(err))) {
    appError = database.error;
    if (database.retryAfterSeconds !== null) {
      res.setHeader('Retry-After', String(database.retryAfterSeconds));
      req.log?.warn({ code: database.code, reason: appError.message }, 'database fault');
    }
  } else {
    req.log?.error({ err }, 'unhandled error');
    appError = new AppError('internal', 500, 'Internal error');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(appError.status).json(errorBody(appError));
};

export const notFoundApi: RequestHandler = (req, res) => {
  res.status(404).json(errorBody(new AppError('not_found', 404, `No route ${req.method} ${req.path}`)));
};
