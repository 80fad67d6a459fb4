// Every error the API can answer with, declared once (code, title, status), thrown by name and
// serialized by one handler as RFC 9457 problem+json (see http/error-handler.ts).

export const PROBLEMS = {
  invalid_request: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable entity' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' }
} as const

export type ProblemCode = keyof typeof PROBLEMS

export interface FieldError {
  field: string
  message: string
}

export class ProblemError extends Error {
  readonly code: ProblemCode
  readonly status: number
  readonly title: string
  readonly errors?: FieldError[]
  readonly headers?: Record<string, string>

  constructor (code: ProblemCode, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
    super(detail)
    this.name = 'ProblemError'
    this.code = code
    this.status = PROBLEMS[code].status
    this.title = PROBLEMS[code].title
    if (errors && errors.length > 0) this.errors = errors
    if (headers) this.headers = headers
  }
}

/** Shorthands for the errors thrown most often, so call sites read as the rule they enforce. */
export const problem = {
  invalid: (detail: string, errors?: FieldError[]) => new ProblemError('invalid_request', detail, errors),
  invalidField: (field: string, message: string) =>
    new ProblemError('invalid_request', `${field}: ${message}`, [{ field, message }]),
  unprocessable: (field: string, message: string) =>
    new ProblemError('unprocessable', `${field}: ${message}`, [{ field, message }]),
  notFound: (what = 'record') => new ProblemError('not_found', `No such ${what}.`),
  conflict: (detail: string, errors?: FieldError[]) => new ProblemError('conflict', detail, errors),
  forbidden: (detail: string) => new ProblemError('forbidden', detail),
  unauthenticated: (detail: string) => new ProblemError('unauthenticated', detail)
}
