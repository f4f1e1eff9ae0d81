/**
 * Each request's time budget and its cancellation: `ctx.state.deadline` (epoch ms) and
 * `ctx.state.signal`, which fires when the client goes away (RequestAbandonedError) or the deadline
 * passes (a 503). Everything the request waits for — its body, the app's budget, backoffs, a read in
 * flight — takes the signal, so work nobody will receive stops, and nothing outlives the deadline.
 */
import type { Middleware } from 'koa';
import { RequestAbandonedError, UnavailableError } from '../../errors.ts';
import { systemClock, type Clock } from '../../outbound/clock.ts';

export function requestLifetime(timeoutMs: number, clock: Clock = systemClock): Middleware {
  return async (ctx, next) => {
    const controller = new AbortController();
    // On the outbound client's clock, which compares its waits against it.
    ctx.state.deadline = clock.now() + timeoutMs;
    ctx.state.signal = controller.signal;
    const timer = setTimeout(
      () => controller.abort(new UnavailableError('The request took longer than the gateway allows; retry later', 5)),
      timeoutMs,
    );
    // 'close' before the answer was written means the client hung up.
    const onClose = () => {
      if (!ctx.res.writableFinished) controller.abort(new RequestAbandonedError());
    };
    // 'close' comes once; on() spares the wrapper once() makes, and finally removes it either way.
    ctx.res.on('close', onClose);
    try {
      await next();
    } finally {
      clearTimeout(timer);
      ctx.res.off('close', onClose);
    }
  };
}
