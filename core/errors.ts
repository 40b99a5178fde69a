/** The one error type crossing layers. `status` is the HTTP status the edge answers with. */
export type ErrorCode =
  | 'invalid_input'
  | 'malformed_json'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'in_use'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface ErrorIssue {
  path: (string | number)[];
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static invalid(message: string, issues?: ErrorIssue[]): AppError {
    return new AppError('invalid_input', 400, message, issues);
  }
  static notFound(what: string): AppError {
    return new AppError('not_found', 404, `${what} not found`);
  }
  static conflict(message: string): AppError {
    return new AppError('conflict', 409, message);
  }
  static inUse(message: string): AppError {
    return new AppError('in_use', 409, message);
  }
  static unauthenticated(message = 'Sign in first'): AppError {
    return new AppError('unauthenticated', 401, message);
  }
  static forbidden(message = 'Your role does not allow this'): AppError {
    return new AppError('forbidden', 403, message);
  }
}

/** The body of every error answer: `{ error: { code, message, issues? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ErrorIssue[] };
}

export function errorBody(err: AppError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.issues ? { issues: err.issues } : {}),
    },
  };
}
