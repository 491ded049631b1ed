import { and, asc, gt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { PageQuery } from '../../../core/ports.ts';

/** WHERE and LIMIT for an id-ordered page (ids are time-ordered). */
export function pageOf(idColumn: SQLiteColumn, where: SQL | undefined, page: PageQuery | undefined) {
  const conditions = and(where, page?.after ? gt(idColumn, page.after) : undefined);
  return { where: conditions, orderBy: asc(idColumn), limit: page?.limit ?? 1_000_000 };
}
