/**
 * Errors shared by the demo app's layers. The store throws ApiError too, because its
 * failures (not found, name taken) map one-to-one onto what the API answers.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

export function invalid(field: string, message: string): ApiError {
  return new ApiError(422, 'invalid', message, field);
}

export function taken(field: string, message: string): ApiError {
  return new ApiError(422, 'taken', message, field);
}

/** Renders a value for option-validation messages, so the reader sees what was actually passed. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    let text: string;
    try {
      text = JSON.stringify(value) ?? Object.prototype.toString.call(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  return String(value);
}

/** Builds "Expected `name` to be <expectation>, got `value` (type)" for bad options. */
export function optionError(name: string, expectation: string, value: unknown): TypeError {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new TypeError(`Expected \`${name}\` to be ${expectation}, got \`${describe(value)}\` (${type})`);
}
