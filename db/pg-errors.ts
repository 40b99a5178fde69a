/**
 * What a PostgreSQL error is, by its SQLSTATE. What it means for a caller (which AppError) is decided
 * in services/database-failure.ts.
 */
export function isUniqueViolation(err: unknown): boolean {
  return pgCode(err) === '23505';
}

export function isExclusionViolation(err: unknown): boolean {
  return pgCode(err) === '23P01';
}

/** The SQLSTATE of a pg error, raw or wrapped by TypeORM (QueryFailedError keeps it in driverError). */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Shutting down (57P01, 57P02), starting up (57P03), and every connection exception (class 08). */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Errors that mean "the database is away" rather than "this request is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = pgCode(err);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code))) return true;
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Connection is not established|the database system is (starting|shutting) up/i.test(
      message,
    )
  );
}

/** Class 53, insufficient resources: the disk (53100), memory (53200), connections (53300) or a limit (53400) ran out. */
export function isDatabaseOutOfResources(err: unknown): boolean {
  return pgCode(err)?.startsWith('53') ?? false;
}

const RESOURCE_NAMES: Record<string, string> = {
  '53100': 'out of disk space',
  '53200': 'out of memory',
  '53300': 'out of connections',
  '53400': 'at a configured limit',
};

/** "out of disk space (SQLSTATE 53100)" and the like, for answers and health. */
export function describeResourceFault(code: string): string {
  return `${RESOURCE_NAMES[code] ?? 'out of resources'} (SQLSTATE ${code})`;
}
