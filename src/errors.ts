/**
 * The gateway's one error hierarchy. Every failure that can reach a SCIM client is a GatewayError;
 * `http/middleware/scim-errors.ts` is the only place that turns one into a SCIM Error body.
 *
 * This module imports nothing, so every layer (including the pure `scim/` layer) may use it.
 *
 * The message is for the gateway's log. What the client sees is `detail`: the message of a 4xx (it says
 * what to fix in the request), and for a 5xx only what its class declares safe — words an admin can act
 * on, never a file path, an expression, a secret or an app's response body.
 */

/** RFC 7644 §3.12 Table 9, plus `sensitive`. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface GatewayErrorOptions {
  scimType?: ScimType;
  cause?: unknown;
  /** Seconds; sent as Retry-After (503s, so Entra's escrow retries later). */
  retryAfter?: number;
  /** Response headers the error needs (WWW-Authenticate on a 401, Allow on a 405). */
  headers?: Record<string, string>;
  /** What the client is told, when not the message (a 5xx's message stays in the log). */
  detail?: string;
}

export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string>;
  /** What the client may read; undefined for a 5xx that declared nothing safe. */
  readonly detail: string | undefined;

  constructor(code: string, status: number, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.scimType = options.scimType;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
    this.detail = options.detail ?? (status < 500 ? message : undefined);
  }
}

/** 400: the client's request is wrong in a way RFC 7644 names with a scimType. */
export class ScimRequestError extends GatewayError {
  constructor(scimType: ScimType, detail: string, options: Omit<GatewayErrorOptions, 'scimType'> = {}) {
    super(`SCIMGW_REQUEST_${scimType.toUpperCase()}`, 400, detail, { ...options, scimType });
  }
}

/** 401: missing or wrong inbound credentials. Never used for an app's 401 (that is UpstreamAuthError). */
export class UnauthorizedError extends GatewayError {
  constructor(detail = 'Authentication failed: send a valid bearer token for this app', realm = 'scim') {
    super('SCIMGW_AUTH_INVALID', 401, detail, { headers: { 'WWW-Authenticate': `Bearer realm="${realm}"` } });
  }
}

export class NotFoundError extends GatewayError {
  constructor(detail: string) {
    super('SCIMGW_NOT_FOUND', 404, detail);
  }
}

export class ConflictError extends GatewayError {
  constructor(detail: string) {
    super('SCIMGW_CONFLICT', 409, detail, { scimType: 'uniqueness' });
  }
}

export class PreconditionFailedError extends GatewayError {
  constructor(detail = 'The resource has changed since the version given in If-Match') {
    super('SCIMGW_PRECONDITION_FAILED', 412, detail);
  }
}

/** Any other HTTP-level refusal (405, 408, 413, 415…) that has no scimType. */
export class HttpRequestError extends GatewayError {
  constructor(status: number, detail: string, headers?: Record<string, string>) {
    super(`SCIMGW_HTTP_${status}`, status, detail, headers ? { headers } : {});
  }
}

/** 501: the app's connector does not offer this operation. */
export class NotSupportedError extends GatewayError {
  constructor(detail: string) {
    super('SCIMGW_NOT_SUPPORTED', 501, detail, { detail });
  }
}

/**
 * The app answered in a way the gateway cannot pass on as success. 502 by default.
 * An app's 401/403 is the gateway's credential problem and must never reach Entra as 401
 * (Entra would quarantine the provisioning job), hence the separate code.
 */
export class UpstreamError extends GatewayError {
  readonly upstreamStatus: number | undefined;
  constructor(code: string, detail: string, upstreamStatus?: number, options: GatewayErrorOptions = {}) {
    // Its messages name the connector, the operation and the app's status: safe, and what an admin needs.
    super(code, 502, detail, { detail, ...options });
    this.upstreamStatus = upstreamStatus;
  }
}

/**
 * A connector's JSONata expression failed or was stopped (too long, too deep): the connector's fault, so
 * 502. The log gets the file, line and JSONata's message; the client only which connector.
 */
export class ExpressionError extends GatewayError {
  readonly where: string;
  constructor(connector: string, where: string, message: string, cause?: unknown) {
    super('SCIMGW_CONNECTOR_EXPRESSION', 502, `A connector expression failed at ${where}: ${message}`, {
      detail: `The ${connector} connector failed while translating for the app; the gateway log names the expression`,
      ...(cause === undefined ? {} : { cause }),
    });
    this.where = where;
  }
}

/** 503 + Retry-After: the app is rate limited, down or too slow; Entra should retry later. */
export class UnavailableError extends GatewayError {
  constructor(detail: string, retryAfter: number, options: Omit<GatewayErrorOptions, 'retryAfter'> = {}) {
    super('SCIMGW_UNAVAILABLE', 503, detail, { detail, ...options, retryAfter: Math.max(1, Math.ceil(retryAfter)) });
  }
}

/**
 * The client went away (Entra hung up) before the answer: the work still waiting for it is dropped. 499 as
 * nginx logs it; nobody receives the answer, so it is neither an error to log nor one to show.
 */
export class RequestAbandonedError extends GatewayError {
  constructor() {
    super('SCIMGW_CLIENT_GONE', 499, 'The client closed the connection before the answer');
  }
}

/** A config or connector file problem found at start-up or reload; never reaches a SCIM client. */
export interface ConfigIssue {
  file: string;
  line?: number;
  col?: number;
  path?: string;
  message: string;
}

export class ConfigError extends GatewayError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('SCIMGW_CONFIG_INVALID', 500, formatIssues(issues));
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = [issue.file, issue.line, issue.col].filter((part) => part !== undefined).join(':');
  return `${where}${issue.path ? ` ${issue.path}` : ''}: ${issue.message}`;
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n');
}
