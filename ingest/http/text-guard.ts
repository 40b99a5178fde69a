import type { RequestHandler } from 'express';
import { AppError, type ErrorIssue } from '../../core/errors.js';

/** NUL and unpaired UTF-16 surrogates cannot be stored as PostgreSQL text: refuse them at the edge. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function findUnstorable(value: unknown, path: (string | number)[], out: ErrorIssue[]): void {
  if (out.length >= 10) return;
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push({ path, message: 'contains a NUL character or broken Unicode' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findUnstorable(v, [...path, i], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) out.push({ path: [...path, k], message: 'a key contains a NUL character or broken Unicode' });
      findUnstorable(v, [...path, k], out);
    }
  }
}

export const textGuard: RequestHandler = (req, _res, next) => {
  const issues: ErrorIssue[] = [];
  findUnstorable(req.body, [], issues);
  findUnstorable(req.query, ['query'], issues);
  next(issues.length ? AppError.invalid('The request contains text that cannot be stored', issues) : undefined);
};
