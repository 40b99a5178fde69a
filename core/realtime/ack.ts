/**
 * The answer to every Socket.IO command, on `/live` and `/tablet` alike (docs/api.md "Acks"). Types
 * only, so the wall and tablet pages import it without zod. The server builds it in one place
 * (realtime/socket-ack.ts) from the error that crosses the layers (`AppError`, core/errors.ts).
 */
import type { ErrorCode, ErrorIssue } from '../errors.js';

export interface AckError {
  code: ErrorCode;
  message: string;
  issues?: ErrorIssue[];
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
