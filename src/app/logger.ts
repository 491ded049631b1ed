import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config/index.ts';

/**
 * Structured JSON logs; human-readable when stdout is a terminal (or
 * log_format: pretty). Fields that could carry secrets are redacted as a
 * second line of defence: nothing should log them in the first place.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, stream: NodeJS.WritableStream = process.stdout): Logger {
  const usePretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
  const options = {
    level: config.logLevel,
    base: { service: 'authflow' },
    redact: { paths: ['password', 'secret', 'token', '*.password', '*.secret', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (usePretty) return pino(options, pretty({ destination: stream, sync: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }));
  return pino(options, stream === process.stdout ? pino.destination({ sync: false }) : stream);
}

export type { Logger };
