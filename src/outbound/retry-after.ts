/**
 * How long an app asks us to wait: Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3), or a
 * rate-limit reset header as seconds from now, epoch seconds or epoch milliseconds.
 */

/**
 * The three HTTP-date forms (RFC 9110 §5.6.7), plus ISO 8601 with a zone. Date.parse alone is far too lenient: it reads "-1" or
 * "abc 1" as dates in 2001, which would turn a garbled header into "retry right now".
 */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
/** Not HTTP, but some APIs send it; with an explicit zone it cannot be misread. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseHttpDate(text: string): number {
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text) || ISO_DATE_TIME.test(text)) return Date.parse(text);
  // asctime carries no zone and means GMT; Date.parse would read it as local time.
  if (ASCTIME_DATE.test(text)) return Date.parse(`${text} GMT`);
  return Number.NaN;
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = parseHttpDate(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Epoch values are told apart from deltas by size: nothing waits 30 years. */
export function parseResetHeader(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return parseRetryAfter(value, now);
  const number = Number(value);
  if (number > 1e12) return Math.max(0, number - now);
  if (number > 1e9) return Math.max(0, number * 1000 - now);
  return Math.round(number * 1000);
}

/** The wait an answer asks for, from the usual headers, in milliseconds. */
export function waitFromHeaders(headers: Record<string, string>, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  for (const name of ['x-ratelimit-reset', 'ratelimit-reset', 'x-rate-limit-reset']) {
    const remaining = headers[name.replace('reset', 'remaining')];
    if (headers[name] !== undefined && (remaining === undefined || Number(remaining) <= 0))
      return parseResetHeader(headers[name], now);
  }
  return undefined;
}
