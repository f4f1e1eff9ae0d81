import { describe, expect, it } from 'vitest';
import { createDemoApp, type DemoAppOptions } from '../../src/demo-app/server.ts';

const make = (options: unknown) => () => createDemoApp(options as DemoAppOptions);

describe('option validation', () => {
  it.each([
    [{ apiKey: 'k', rate: -1 }, 'Expected `rate` to be a number >= 0, got `-1` (number)'],
    [{ apiKey: 'k', rate: '5' }, 'Expected `rate` to be a number >= 0, got `5` (string)'],
    [{ apiKey: 'k', rate: Number.NaN }, 'Expected `rate` to be a number >= 0, got `NaN` (number)'],
    [{ apiKey: 'k', rate: 1.5 }, 'Expected `rate` to be a whole number, got `1.5` (number)'],
    [{}, 'Expected `apiKey` to be a non-empty string, got `undefined` (undefined)'],
    [{ apiKey: '' }, 'Expected `apiKey` to be a non-empty string, got `` (string)'],
    [{ apiKey: 'k', snapshotFile: 3 }, 'Expected `snapshotFile` to be a non-empty string, got `3` (number)'],
    [{ apiKey: 'k', faults: 'yes' }, 'Expected `faults` to be an object, got `yes` (string)'],
    [
      { apiKey: 'k', faults: { rate: 1.2, kinds: ['5xx'] } },
      'Expected `faults.rate` to be a number between 0 and 1, got `1.2` (number)',
    ],
    [
      { apiKey: 'k', faults: { rate: 0.5, kinds: ['boom'] } },
      'Expected `faults.kinds` to be a non-empty array of "5xx", "reset", "slow", got `["boom"]` (array)',
    ],
    [
      { apiKey: 'k', faults: { rate: 0.5 } },
      'Expected `faults.kinds` to be a non-empty array of "5xx", "reset", "slow", got `undefined` (undefined)',
    ],
    [
      { apiKey: 'k', faults: { rate: 0.5, kinds: ['slow'], slowMs: -1 } },
      'Expected `faults.slowMs` to be a number >= 0, got `-1` (number)',
    ],
    [
      { apiKey: 'k', faults: { rate: 0.5, kinds: ['slow'], seed: 'x' } },
      'Expected `faults.seed` to be an integer, got `x` (string)',
    ],
    [null, 'Expected `options` to be an object, got `null` (null)'],
  ])('rejects %j', (options, message) => {
    expect(make(options)).toThrow(new TypeError(message));
  });

  it('accepts valid options, including faults switched off with just a rate of 0', async () => {
    const app = createDemoApp({ apiKey: 'k', rate: 10, faults: { rate: 0 } as DemoAppOptions['faults'] });
    expect(() => app.setFaults({ rate: 1, kinds: ['reset'] })).not.toThrow();
    expect(() => app.setFaults({ rate: -1, kinds: ['reset'] })).toThrow(TypeError);
    await app.close();
  });
});
