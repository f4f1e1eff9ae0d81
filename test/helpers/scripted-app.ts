/** An app on a fake clock for outbound tests: answers from a script, records when each call arrived. */
import type { FakeClock } from './fake-clock.ts';
import {
  NetworkError,
  ResponseTooLargeError,
  type OutboundRequest,
  type OutboundResponse,
  type SendOptions,
  type Transport,
} from '../../src/outbound/transport.ts';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Fake ms the app takes to answer. */
  latencyMs?: number;
  /** Drop the connection instead of answering. */
  drop?: boolean;
}

/** Answers from a script (or a function of the request); a call "takes" latencyMs of fake time. */
export class ScriptedApp implements Transport {
  readonly calls: { at: number; request: OutboundRequest }[] = [];
  readonly #clock: FakeClock;
  readonly #answer: (request: OutboundRequest, index: number) => Answer;

  constructor(clock: FakeClock, answer: Answer[] | ((request: OutboundRequest, index: number) => Answer)) {
    this.#clock = clock;
    this.#answer = Array.isArray(answer) ? (_request, index) => answer[Math.min(index, answer.length - 1)]! : answer;
  }

  async send(request: OutboundRequest, options: SendOptions): Promise<OutboundResponse> {
    const index = this.calls.length;
    this.calls.push({ at: this.#clock.now(), request });
    const answer = this.#answer(request, index);
    if (answer.latencyMs) await this.#clock.sleep(answer.latencyMs, options.signal);
    if (answer.drop) throw new NetworkError('ECONNRESET', 'dropped', true);
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    if (options.maxBytes !== undefined && body.length > options.maxBytes)
      throw new ResponseTooLargeError(options.maxBytes, 'app.test');
    return { status: answer.status, headers: answer.headers ?? {}, body };
  }

  async close(): Promise<void> {}
}
