import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { Ack } from '../core/realtime/ack.js';
import { databaseFailure } from '../services/database-failure.js';
import { unstorableTextIssues } from '../core/text/storable-text.js';

/**
 * The one error mapper of socket acks, the twin of the HTTP error middleware: AppErrors keep their
 * code and message, invalid payloads become `invalid_input`, a database error as the HTTP answer
 * decides it (services/database-failure.ts: a value it cannot store `invalid_input`, a database away
 * or out of resources `unavailable`), anything else is logged and answered as `internal` without details.
 */
export function ackError(err: unknown, logger?: Logger): Ack<never> {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: { code: 'invalid_input', message: `Invalid payload${where}: ${issue?.message ?? 'not accepted'}` } };
  }
  const failure = databaseFailure(err);
  if (failure) {
    logger?.warn({ code: failure.code, reason: failure.error.message }, 'socket command: database fault');
    return { ok: false, error: { code: failure.error.code, message: failure.error.message } };
  }
  logger?.error({ err }, 'socket command failed');
  return { ok: false, error: { code: 'internal', message: 'Internal error' } };
}

/**
 * The HTTP text guard for socket payloads (the same function): NUL, broken Unicode or nesting deeper
 * than 32 levels is an `invalid_input` answer, never a failed database write.
 */
export function guardPayload(payload: unknown): void {
  const issues = unstorableTextIssues(payload);
  if (issues.length)
    throw AppError.invalid(
      `The payload contains text that cannot be stored at ${issues[0]!.path.join('.') || 'the top'}: ${issues[0]!.message}`,
      issues,
    );
}

/**
 * Runs a command handler and answers its ack exactly once. A client that sent no ack callback gets
 * nothing back (commands without acks are refused by the protocol, not answered).
 */
export function withAck<T>(ack: unknown, logger: Logger, run: () => Promise<T>): void {
  const reply = typeof ack === 'function' ? (ack as (result: Ack<T>) => void) : null;
  run().then(
    (data) => reply?.({ ok: true, data }),
    (err: unknown) => reply?.(ackError(err, logger)),
  );
}
