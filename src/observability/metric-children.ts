/**
 * Labelled series for the metrics updated on every request. prom-client works out a label hash, checks
 * every label name and builds a label/value pair on each inc, set and observe, even through a child made
 * by labels(); a request updates about ten series, and that was ~3 % of a GET's CPU. A series here goes
 * through prom-client once, which creates its stored value, and from then on adds to that value itself.
 *
 * The stored value is found by the label object this module passed in (prom-client 15 keeps it by
 * reference in its value). Where it is not found, or prom-client has replaced it since (reset, remove),
 * the series goes through prom-client again, so what is exported never depends on this shortcut: a test
 * holds the exposition text against prom-client's own for the same updates.
 */
import { Counter, Gauge, Histogram } from 'prom-client';

type Labels = Record<string, string>;

interface Stored {
  labels: Labels;
  value?: number;
  sum?: number;
  count?: number;
  bucketValues?: Record<number, number>;
}

/** The parts of a prom-client metric this module reads: its stored values by label hash. */
interface Internals {
  hashMap?: Record<string, Stored>;
  upperBounds?: number[];
}

/** Finds the value prom-client stored for `labels`, or undefined. */
class StoredValue {
  readonly #metric: Internals;
  readonly #labels: Labels;
  #hash: string | undefined;
  #stored: Stored | undefined;

  constructor(metric: object, labels: Labels) {
    this.#metric = metric;
    this.#labels = labels;
  }

  /** The stored value if it is still the one prom-client exports. */
  current(): Stored | undefined {
    const map = this.#metric.hashMap;
    if (this.#stored !== undefined && map?.[this.#hash!] === this.#stored) return this.#stored;
    this.#stored = undefined;
    return undefined;
  }

  /** Looks for it again, after an update through prom-client has made sure it exists. */
  find(): void {
    const map = this.#metric.hashMap;
    if (!map) return;
    for (const hash in map) {
      if (map[hash]!.labels === this.#labels) {
        this.#hash = hash;
        this.#stored = map[hash];
        return;
      }
    }
  }
}

function counterSeries(metric: Counter, labels: Labels): { inc(value?: number): void } {
  const stored = new StoredValue(metric, labels);
  return {
    inc(value = 1) {
      const target = stored.current();
      if (target && typeof target.value === 'number' && Number.isFinite(value) && value >= 0) {
        target.value += value;
        return;
      }
      metric.inc(labels, value);
      stored.find();
    },
  };
}

function gaugeSeries(metric: Gauge, labels: Labels): { set(value: number): void } {
  const stored = new StoredValue(metric, labels);
  return {
    set(value) {
      const target = stored.current();
      if (target && typeof target.value === 'number' && typeof value === 'number') {
        target.value = value;
        return;
      }
      metric.set(labels, value);
      stored.find();
    },
  };
}

function histogramSeries(metric: Histogram, labels: Labels): { observe(value: number): void } {
  const stored = new StoredValue(metric, labels);
  const bounds = (metric as unknown as Internals).upperBounds;
  return {
    observe(value) {
      const target = stored.current();
      const buckets = target?.bucketValues;
      if (target && buckets && bounds && typeof target.sum === 'number' && Number.isFinite(value)) {
        target.sum += value;
        target.count! += 1;
        // Each bucket counts the values up to its bound and above the one before (summed on export).
        for (const bound of bounds) {
          if (value <= bound) {
            if (Object.hasOwn(buckets, bound)) buckets[bound]! += 1;
            break;
          }
        }
        return;
      }
      metric.observe(labels, value);
      stored.find();
    },
  };
}

type SeriesOf<M> = M extends Histogram
  ? { observe(value: number): void }
  : M extends Gauge
    ? { set(value: number): void }
    : { inc(value?: number): void };

/** One labelled series of `metric`, for a caller that updates it often with the same labels. */
export function seriesOf<M extends Counter | Gauge | Histogram>(metric: M, labels: Labels): SeriesOf<M> {
  // A copy: the label object identifies the stored value, so no caller may change it afterwards.
  const own = { ...labels };
  if (metric instanceof Histogram) return histogramSeries(metric, own) as SeriesOf<M>;
  if (metric instanceof Gauge) return gaugeSeries(metric, own) as SeriesOf<M>;
  return counterSeries(metric, own) as SeriesOf<M>;
}

/**
 * Series by label values, made on first use: each call site passes its labels in a fixed order, so the
 * values joined are the key.
 */
export function labelledChildren<M extends Counter | Gauge | Histogram>(metric: M): (labels: Labels) => SeriesOf<M> {
  const children = new Map<string, SeriesOf<M>>();
  return (labels) => {
    const key = Object.values(labels).join('\u0000');
    let child = children.get(key);
    if (!child) {
      child = seriesOf(metric, labels);
      children.set(key, child);
    }
    return child;
  };
}
