/** Postgres error codes the repositories turn into API answers. */
export function isUniqueViolation(err: unknown): boolean {
  return pgCode(err) === '23505';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return pgCode(err) === '23503';
}

export function isExclusionViolation(err: unknown): boolean {
  return pgCode(err) === '23P01';
}

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}
