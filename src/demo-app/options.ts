/** Options of createDemoApp, checked eagerly so a typo fails at startup rather than on first request. */
import { optionError } from './errors.ts';
import { validateFaultOptions, type FaultOptions } from './faults.ts';

export interface DemoAppOptions {
  /** Value every /api request must send in `X-Api-Key`. */
  apiKey: string;
  /** Requests per second accepted on /api (sliding one-second window); 0 or absent = unlimited. */
  rate?: number;
  /** JSON file to load state from at start and to write every change to. */
  snapshotFile?: string;
  faults?: FaultOptions;
}

export interface ValidOptions {
  apiKey: string;
  rate: number;
  snapshotFile: string | undefined;
  faults: FaultOptions | undefined;
}

export function validateOptions(options: unknown): ValidOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw optionError('options', 'an object', options);
  }
  const { apiKey, rate = 0, snapshotFile, faults } = options as Record<string, unknown>;
  if (typeof apiKey !== 'string' || apiKey === '') {
    throw optionError('apiKey', 'a non-empty string', apiKey);
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw optionError('rate', 'a number >= 0', rate);
  }
  // A fractional limit has no sensible meaning for whole requests in a one-second window.
  if (!Number.isInteger(rate)) throw optionError('rate', 'a whole number', rate);
  if (snapshotFile !== undefined && (typeof snapshotFile !== 'string' || snapshotFile === '')) {
    throw optionError('snapshotFile', 'a non-empty string', snapshotFile);
  }
  return {
    apiKey,
    rate,
    snapshotFile,
    faults: faults === undefined ? undefined : validateFaultOptions(faults),
  };
}
