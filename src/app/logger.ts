import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config/index.ts';

/**
 * Structured JSON logs; human-readable when stdout is a terminal (or
 * log_format: pretty). Nothing is redacted per call: log lines are built
 * from named fields (ids, codes, classes, routes), never from request
 * headers, bodies or secrets, and the tests check the lines for secrets.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, stream: NodeJS.WritableStream = process.stdout): Logger {
  const usePretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
  const options = {
    level: config.logLevel,
    base: { service: 'authflow' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (usePretty) return pino(options, pretty({ destination: stream, sync: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }));
  return pino(options, stream === process.stdout ? pino.destination({ sync: false }) : stream);
}

export type { Logger };
