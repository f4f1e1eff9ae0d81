/**
 * A circuit breaker per app. After `failureThreshold` failures in a row (5xx, timeouts, network errors;
 * not 4xx or 429, which a healthy app sends) within `windowMs`, calls fail at once with a 503 for
 * `openMs`; then one call is let through as a probe: success closes the circuit, failure opens it again
 * for twice as long (up to `maxOpenMs`). Entra's requests then get quick 503s with Retry-After instead of
 * waiting out timeouts against an app that is down.
 */
import { UnavailableError } from '../errors.ts';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface BreakerOptions {
  failureThreshold?: number;
  windowMs?: number;
  openMs?: number;
  maxOpenMs?: number;
  now?: () => number;
  onChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #openMs: number;
  readonly #maxOpenMs: number;
  readonly #now: () => number;
  readonly #onChange: (state: BreakerState) => void;
  #state: BreakerState = 'closed';
  /**
   * When the failures of the current run happened (at most `threshold` of them). A sliding window: a
   * window fixed at the run's first failure would restart the count late and miss a burst of failures
   * that straddles its end (1 failure, then 3 within 200 ms just after the window, never opened it).
   */
  #failures: number[] = [];
  #openedAt = 0;
  #openFor: number;
  #probing = false;

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#windowMs = options.windowMs ?? 30_000;
    this.#openMs = options.openMs ?? 5_000;
    this.#maxOpenMs = options.maxOpenMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#openFor = this.#openMs;
    if (!(this.#threshold >= 1))
      throw new TypeError(
        `Expected \`failureThreshold\` to be >= 1, got \`${this.#threshold}\` (${typeof this.#threshold})`,
      );
  }

  get state(): BreakerState {
    return this.#state;
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }

  /** The 503 for a call that must not go to the app now, if any (claims nothing). */
  #refusal(app: string, now: number): UnavailableError | undefined {
    if (this.#state === 'open') {
      const remaining = this.#openedAt + this.#openFor - now;
      if (remaining > 0)
        return new UnavailableError(
          `The app ${app} is failing; the gateway is holding calls to it for now; retry later`,
          remaining / 1000,
        );
    } else if (this.#state === 'halfOpen' && this.#probing) {
      return new UnavailableError(`The app ${app} is being probed after failures; retry later`, 1);
    }
    return undefined;
  }

  /**
   * Throws the 503 that admit() would throw now, without taking the probe: lets a call fail fast before
   * it queues for the app's budget. The call must still be admitted when it is about to be sent.
   */
  check(app: string): void {
    if (this.#state === 'closed') return;
    const refusal = this.#refusal(app, this.#now());
    if (refusal) throw refusal;
  }

  /**
   * Throws a 503 when calls must not go to the app now; otherwise the call may proceed. Returns true when
   * the call is the probe, which must end in success(), failure() or abandon().
   */
  admit(app: string): boolean {
    if (this.#state === 'closed') return false;
    const refusal = this.#refusal(app, this.#now());
    if (refusal) throw refusal;
    this.#set('halfOpen');
    this.#probing = true;
    return true;
  }

  /** The probe ended without telling anything about the app (the request ran out of time): let another probe. */
  abandon(): void {
    this.#probing = false;
  }

  success(): void {
    this.#failures = [];
    this.#probing = false;
    this.#openFor = this.#openMs;
    this.#set('closed');
  }

  failure(): void {
    const now = this.#now();
    this.#probing = false;
    if (this.#state === 'halfOpen') {
      this.#openFor = Math.min(this.#maxOpenMs, this.#openFor * 2);
      this.#open(now);
      return;
    }
    // A call admitted before the circuit opened that fails now tells nothing new; counting it would
    // reopen the circuit from now and so hold calls longer than `openMs`.
    if (this.#state === 'open') return;
    this.#failures = this.#failures.filter((at) => now - at <= this.#windowMs);
    this.#failures.push(now);
    if (this.#failures.length > this.#threshold) this.#failures.shift();
    if (this.#failures.length >= this.#threshold) this.#open(now);
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#failures = [];
    this.#set('open');
  }
}
