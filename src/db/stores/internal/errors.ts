import { DrizzleQueryError } from 'drizzle-orm';
import { Conflict, isAuthflowError } from '../../../core/errors.ts';

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

/**
 * Turns a driver failure into a DatabaseError that is safe to log and show:
 * the SQLSTATE / SQLite code and, where the driver's text cannot carry data,
 * its message. Domain errors and already-sanitised errors pass through.
 */
export function sanitize(e: unknown): unknown {
  if (e instanceof DatabaseError || isAuthflowError(e)) return e;
  const isDrizzle = e instanceof DrizzleQueryError;
  const driver = isDrizzle ? driverErrorOf(e) : (e as DriverError | undefined);
  const code = driver?.code;
  if (!isDrizzle && !(code && DRIVER_CODE.test(code))) return e;
  return new DatabaseError(`database error${code ? ` ${code}` : ''}: ${safeMessage(driver)}`, code);
}

const DRIVER_CODE = /^(SQLITE_[A-Z_]+|[0-9A-Z]{5})$/;

/** pg messages for data errors (class 22) quote the offending value; describe those by their parts instead. */
function safeMessage(driver: (DriverError & { table?: string; column?: string; constraint?: string }) | undefined): string {
  if (!driver) return 'unknown';
  const code = driver.code ?? '';
  // SQLite's messages name constraints and columns, never values; so do pg's outside class 22 (its `detail` holds values and is dropped).
  if (code.startsWith('SQLITE_') || !code.startsWith('22')) return driver.message ?? 'unknown';
  const parts = [driver.table && `table ${driver.table}`, driver.column && `column ${driver.column}`, driver.constraint && `constraint ${driver.constraint}`].filter(Boolean);
  const cls = PG_CLASSES[code.slice(0, 2)] ?? 'failed';
  return parts.length ? `${cls} (${parts.join(', ')})` : cls;
}

const PG_CLASSES: Record<string, string> = {
  '08': 'connection failure',
  '22': 'invalid data',
  '23': 'integrity constraint violated',
  '25': 'invalid transaction state',
  '40': 'transaction rolled back',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '57': 'operator intervention',
  '58': 'system error',
  XX: 'internal error',
};
