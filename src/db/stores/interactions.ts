import { and, eq, lt } from 'drizzle-orm';
import type { Interaction } from '../../core/interaction/interaction.ts';
import type { InteractionStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function interactionStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): InteractionStore {
  const { interactions } = database.schema;
  const mine = (tenantId: string, id: string) => and(eq(interactions.tenantId, tenantId), eq(interactions.id, id));
  const row = (i: Interaction) => ({ ...i, request: { ...i.request } as Record<string, unknown>, state: { ...i.state } as Record<string, unknown> });
  return {
    insert: (i) => guard('that interaction already exists', () => write(async (tx) => void (await tx.insert(interactions).values(row(i))))),
    byId: async (tenantId, id) => (await guard('', () => db().select().from(interactions).where(mine(tenantId, id)).limit(1)))[0] as Interaction | undefined,
    update: (i) =>
      guard('', () => write(async (tx) => void (await tx.update(interactions).set({ step: i.step, state: row(i).state, userId: i.userId }).where(mine(i.tenantId, i.id))))),
    delete: (tenantId, id) => guard('', () => write(async (tx) => (await tx.delete(interactions).where(mine(tenantId, id)).returning({ id: interactions.id })).length > 0)),
    deleteExpired: (now) => guard('', () => write(async (tx) => (await tx.delete(interactions).where(lt(interactions.expiresAt, now)).returning({ id: interactions.id })).length)),
  };
}
