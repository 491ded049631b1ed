// The SQLite and Postgres schemas are written twice (drizzle has one table
// builder per dialect), so this test holds them together: the same tables,
// columns, nullability, defaults, primary keys, foreign keys, unique
// constraints and indexes. Only the column types may differ.
import { getTableConfig as pgTable, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTable, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/db/schema/pg.ts';
import * as sqlite from '../../src/db/schema/sqlite.ts';

type Config = ReturnType<typeof sqliteTable> | ReturnType<typeof pgTable>;

interface Shape {
  readonly columns: Record<string, { notNull: boolean; primary: boolean; unique: boolean; default: unknown }>;
  readonly primaryKeys: string[];
  readonly foreignKeys: string[];
  readonly uniques: string[];
  readonly indexes: string[];
}

const names = (cols: readonly { name: string }[]) => cols.map((c) => c.name).join(',');

/** A default as written in the schema: a literal, or `sql` text (a dialect's own function spelled alike). */
function defaultOf(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value && typeof value === 'object' && 'queryChunks' in value) return 'sql';
  return value instanceof Date ? value.toISOString() : JSON.stringify(value);
}

function shapeOf(c: Config): Shape {
  const columns: Shape['columns'] = {};
  for (const col of c.columns) columns[col.name] = { notNull: col.notNull, primary: col.primary, unique: col.isUnique, default: defaultOf(col.default) };
  const indexes = (c.indexes as readonly { config: { name?: string; unique?: boolean; columns: readonly unknown[] } }[]).map(
    (i) => `${i.config.name}${i.config.unique ? ' unique' : ''} (${i.config.columns.map((x) => (x as { name?: string }).name ?? 'expr').join(',')})`,
  );
  return {
    columns,
    primaryKeys: c.primaryKeys.map((p) => names(p.columns)).sort(),
    foreignKeys: c.foreignKeys
      .map((f) => {
        const r = f.reference();
        return `${names(r.columns)} -> ${(r.foreignTable as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')]}(${names(r.foreignColumns)}) on delete ${f.onDelete ?? 'no action'}`;
      })
      .sort(),
    uniques: c.uniqueConstraints.map((u) => names(u.columns)).sort(),
    indexes: indexes.sort(),
  };
}

function tablesOf(schema: Record<string, unknown>, isTable: (v: unknown) => boolean, config: (v: never) => Config): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const value of Object.values(schema)) {
    if (!isTable(value)) continue;
    const c = config(value as never);
    out.set(c.name, shapeOf(c));
  }
  return out;
}

describe('the SQLite and Postgres schemas declare the same database', () => {
  const lite = tablesOf(sqlite, (v) => v instanceof SQLiteTable, sqliteTable as (v: never) => Config);
  const post = tablesOf(pg, (v) => v instanceof PgTable, pgTable as (v: never) => Config);

  it('the same tables', () => {
    expect([...post.keys()].sort()).toEqual([...lite.keys()].sort());
    expect(lite.size).toBeGreaterThan(10);
  });

  for (const [name, shape] of lite) {
    it(`${name}: the same columns (nullability, defaults, keys), constraints and indexes`, () => {
      expect(post.get(name)).toEqual(shape);
    });
  }
});
