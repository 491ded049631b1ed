import type { H3Event } from 'h3';
import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** What a handler or the error mapper said about the request: it goes out on the request's one log line. */
interface Note {
  readonly level: Level;
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

/** Per-request state kept on the h3 event. */
export interface RequestState {
  readonly id: string;
  /** A caller's own X-Request-Id, kept beside ours (unless it became ours: trusted proxy). */
  readonly upstreamId: string | undefined;
  readonly startedAt: number;
  readonly logger: Logger;
  /** Who acted (ids such as an API key's record id and its tenant; never a secret), for the log line. */
  actor?: Record<string, string>;
  note?: Note;
}

const STATE = Symbol('authflow.request');
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function setRequestState(event: H3Event, state: RequestState): void {
  (event.context as Record<symbol, unknown>)[STATE] = state;
}

export function requestState(event: H3Event): RequestState | undefined {
  return (event.context as Record<symbol, unknown>)[STATE] as RequestState | undefined;
}

/** Adds who acted (ids, never secrets) to the request's log line. */
export function setActor(event: H3Event, actor: Record<string, string>): void {
  const state = requestState(event);
  if (state) state.actor = { ...state.actor, ...actor };
}

export type RequestLog = Record<Level, (fields: Record<string, unknown>, msg: string) => void>;

/**
 * What to say about the request in its one log line (written when the answer
 * is sent; the weightiest note wins). Only the fields given are logged: pass
 * ids, codes and classes, never values a client sent.
 */
export function requestLog(event: H3Event): RequestLog {
  const state = requestState(event);
  const note = (level: Level) => (fields: Record<string, unknown>, msg: string) => {
    if (state && (!state.note || RANK[level] >= RANK[state.note.level])) state.note = { level, fields, msg };
  };
  return { debug: note('debug'), info: note('info'), warn: note('warn'), error: note('error') };
}
