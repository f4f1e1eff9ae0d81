/**
 * The one error of a store that cannot serve: a 503 with Retry-After, so Entra retries the change later.
 * Its message (logged: the file, the database's own words) says what failed; Entra reads only that the
 * gateway's store is unavailable.
 */
import { GatewayError } from '../errors.ts';

export class StoreUnavailableError extends GatewayError {
  constructor(message: string, cause?: unknown, retryAfterSeconds = 5) {
    super('SCIMGW_STORE_UNAVAILABLE', 503, message, {
      detail: "The gateway's id store is unavailable; retry later",
      retryAfter: retryAfterSeconds,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}
