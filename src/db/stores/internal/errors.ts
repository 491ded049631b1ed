import { Conflict } from '../../../core/errors.ts';

/** A database failure whose message is safe to log: driver code and text, never the SQL or bound values. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

interface DriverError {
  code?: string;
  message?: string;
}

function driverErrorOf(e: unknown): DriverError | undefined {
  // drizzle wraps driver errors (its message carries the SQL and parameters); the driver's own is the cause.
  const cause = (e as { cause?: unknown })?.cause ?? e;
  return cause && typeof cause === 'object' ? (cause as DriverError) : undefined;
}

export function isUniqueViolation(e: unknown): boolean {
  const code = driverErrorOf(e)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs a store operation, turning unique violations into Conflict and anything else into a sanitised DatabaseError. */
export async function guard<T>(conflictMessage: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isUniqueViolation(e)) throw new Conflict(conflictMessage);
    throw sanitize(e);
  }
}

export function sanitize(e: unknown): unknown {
  if (e instanceof Error && e.name !== 'DrizzleQueryError' && !(e as { cause?: unknown }).cause) {
    // Not a driver failure (e.g. a domain error thrown inside a transaction): pass it through.
    const code = (e as DriverError).code;
    if (!code || !/^(SQLITE_|[0-9A-Z]{5}$)/.test(code)) return e;
  }
  const driver = driverErrorOf(e);
  // pg errors keep bound values in `detail`; only code and message travel on.
  return new DatabaseError(`database error${driver?.code ? ` ${driver.code}` : ''}: ${driver?.message ?? 'unknown'}`, driver?.code);
}
