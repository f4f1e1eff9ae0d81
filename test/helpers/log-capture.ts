/** A real JSON logger whose lines a test can read: what the gateway would write to stdout. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.ts';

export interface LogCapture {
  logger: Logger;
  lines: string[];
  /** The lines parsed as JSON objects. */
  entries(): Record<string, unknown>[];
  /** Entries at pino's error level (50) or above. */
  errors(): Record<string, unknown>[];
}

export function captureLogs(level = 'info'): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logger: createLogger({ level, destination: sink }),
    lines,
    entries,
    errors: () => entries().filter((entry) => Number(entry.level) >= 50),
  };
}
