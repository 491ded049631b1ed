import type { H3Event } from 'h3';
import type { Logger } from 'pino';

/** Per-request state kept on the h3 event. */
export interface RequestState {
  readonly id: string;
  readonly startedAt: number;
  readonly log: Logger;
}

const STATE = Symbol('authflow.request');

export function setRequestState(event: H3Event, state: RequestState): void {
  (event.context as Record<symbol, unknown>)[STATE] = state;
}

export function requestState(event: H3Event): RequestState | undefined {
  return (event.context as Record<symbol, unknown>)[STATE] as RequestState | undefined;
}

/** The request's child logger (with its request id), or a no-op when the request never got one. */
export function requestLog(event: H3Event): Pick<Logger, 'info' | 'warn' | 'error' | 'debug'> {
  return requestState(event)?.log ?? silent;
}

const noop = () => {};
const silent = { info: noop, warn: noop, error: noop, debug: noop } as unknown as Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
