import type { RequestHandler } from 'express';
import { AppError } from '../../core/errors.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, unstorableTextIssues } from '../../core/text/storable-text.js';

/** Refuses bodies and query values PostgreSQL cannot store (NUL, broken Unicode) or nested too deeply. */
export const textGuard: RequestHandler = (req, _res, next) => {
  const issues = [...unstorableTextIssues(req.body), ...unstorableTextIssues(req.query, ['query'])].slice(0, 10);
  next(issues.length ? AppError.invalid('The request contains text that cannot be stored', issues) : undefined);
};

/**
 * express.json's `verify` hook: runs on the raw body before JSON.parse, so a deeply nested body is
 * refused with a 400 in one linear pass instead of being parsed (JSON.parse can overflow the stack).
 */
export function refuseDeepJson(_req: unknown, _res: unknown, raw: Buffer): void {
  if (jsonNestsDeeperThan(raw, MAX_JSON_DEPTH)) {
    throw AppError.invalid(`The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, [
      { path: [], message: `at most ${MAX_JSON_DEPTH} levels of nesting` },
    ]);
  }
}
