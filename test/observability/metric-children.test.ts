/**
 * The request path's labelled series add to prom-client's stored values themselves; what a scrape
 * exports must be exactly what prom-client exports for the same updates, across resets and removals.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { labelledChildren, seriesOf } from '../../src/observability/metric-children.ts';
import { mulberry32 } from '../../src/demo-app/seeded-random.ts';

function metricsOn(registry: Registry) {
  return {
    calls: new Counter({
      name: 'calls_total',
      help: 'h',
      labelNames: ['app', 'status'] as const,
      registers: [registry],
    }),
    depth: new Gauge({ name: 'depth', help: 'h', labelNames: ['app'] as const, registers: [registry] }),
    duration: new Histogram({
      name: 'duration_seconds',
      help: 'h',
      labelNames: ['app', 'operation'] as const,
      buckets: [0.001, 0.01, 0.1, 1],
      registers: [registry],
    }),
  };
}

describe('labelled series', () => {
  it('export what prom-client exports for the same updates, through resets and removals', async () => {
    const fast = new Registry();
    const plain = new Registry();
    const f = metricsOn(fast);
    const p = metricsOn(plain);
    const calls = labelledChildren(f.calls);
    const durations = labelledChildren(f.duration);
    const depths = ['a', 'b'].map((app) => seriesOf(f.depth, { app }));
    const next = mulberry32(42);
    const apps = ['a', 'b', 'c'];
    for (let step = 0; step < 3000; step++) {
      const app = apps[Math.floor(next() * apps.length)]!;
      const roll = next();
      if (roll < 0.4) {
        // Values on, between and beyond the bounds, and zero.
        const value = [0, 0.001, 0.005, 0.01, 0.5, 1, 7][Math.floor(next() * 7)]!;
        durations({ app, operation: 'get' }).observe(value);
        p.duration.observe({ app, operation: 'get' }, value);
      } else if (roll < 0.75) {
        const by = next() < 0.5 ? undefined : Math.floor(next() * 3);
        calls({ app, status: '200' }).inc(by);
        p.calls.inc({ app, status: '200' }, by);
      } else if (roll < 0.97) {
        const index = Math.floor(next() * 2);
        const value = Math.floor(next() * 10);
        depths[index]!.set(value);
        p.depth.set({ app: ['a', 'b'][index]! }, value);
      } else if (roll < 0.985) {
        for (const registry of [fast, plain]) registry.resetMetrics();
      } else {
        f.calls.remove({ app, status: '200' });
        p.calls.remove({ app, status: '200' });
      }
      if (step % 500 === 0) expect(await fast.metrics()).toBe(await plain.metrics());
    }
    expect(await fast.metrics()).toBe(await plain.metrics());
  });

  it('refuse what prom-client refuses: a counter going down, a value that is not a number', () => {
    const registry = new Registry();
    const m = metricsOn(registry);
    const counter = seriesOf(m.calls, { app: 'a', status: '200' });
    counter.inc();
    expect(() => counter.inc(-1)).toThrow();
    const histogram = seriesOf(m.duration, { app: 'a', operation: 'get' });
    histogram.observe(0.5);
    expect(() => histogram.observe(Number.NaN)).toThrow();
  });

  it('keep their own copy of the labels, so a caller that reuses its object does not move the series', async () => {
    const registry = new Registry();
    const m = metricsOn(registry);
    const labels = { app: 'a', operation: 'get' };
    const series = seriesOf(m.duration, labels);
    series.observe(0.5);
    labels.app = 'b';
    series.observe(0.5);
    const values = (await m.duration.get()).values.filter((v) => v.metricName === 'duration_seconds_count');
    expect(values).toEqual([expect.objectContaining({ labels: { app: 'a', operation: 'get' }, value: 2 })]);
  });
});
