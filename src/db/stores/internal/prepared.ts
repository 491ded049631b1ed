import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Database, Db } from '../../driver.ts';

type Prepared = { execute(values: Record<string, unknown>): PromiseLike<unknown> };
type Preparable = { prepare(name?: string): Prepared };

/**
 * A hot read, prepared once per database: `build` writes the query with
 * `p(name)` where a value goes. Outside a transaction it runs the prepared
 * statement (SQLite prepares it on the read connection; Postgres names it, and
 * the driver prepares it once per pooled connection). Inside a transaction it
 * is built on the transaction's connection with the values bound inline, so
 * the read sees the transaction's own writes.
 */
export function preparedRead<K extends string>(
  database: Database,
  name: string,
  db: () => Db,
  build: (conn: Db, p: (key: K) => SQLWrapper) => unknown,
): (values: Readonly<Record<K, unknown>>) => Promise<unknown[]> {
  let stmt: Prepared | undefined;
  return async (values) => {
    const conn = db();
    if (conn !== database.db) return (await (build(conn, (key) => sql`${values[key]}`) as PromiseLike<unknown[]>)) ?? [];
    stmt ??= (build(database.db, (key) => sql.placeholder(key)) as Preparable).prepare(name);
    return ((await stmt.execute(values as Record<string, unknown>)) as unknown[]) ?? [];
  };
}
