/**
 * An AbortSignal that fires when any of its sources fires, or after `timeoutMs`: what AbortSignal.any and
 * AbortSignal.timeout give, at a fraction of their cost per call (a composite signal is tracked through
 * weak references and finalizers, a timeout signal keeps its timer until it fires). The price is
 * `release()`, which detaches it from its sources and clears its timer once the guarded work is over.
 */
import { setMaxListeners } from 'node:events';

export interface LinkedSignal {
  readonly signal: AbortSignal;
  release(): void;
}

export function linkedSignal(sources: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const live = sources.filter((source): source is AbortSignal => source !== undefined);
  const fired = live.find((source) => source.aborted);
  if (fired) {
    controller.abort(fired.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const follow = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const source of live) {
    // Shared sources (a pacer's, a request's with many calls) hold one listener per call in flight, all
    // released; Node would otherwise warn past ten.
    setMaxListeners(0, source);
    source.addEventListener('abort', follow, { once: true });
  }
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
          timeoutMs,
        );
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      for (const source of live) source.removeEventListener('abort', follow);
    },
  };
}
