import type { Problem } from '../generated/types.ts'

// One error class per HTTP status the API answers with (SPEC §5, §8), in the shape of
// openai-node's: catch a specific class, or `PostureError` for everything the SDK throws.

/** Base class of every error the SDK throws. */
export class PostureError extends Error {
  override name = 'PostureError'
}

/** An HTTP error response, or (subclasses without a status) a request that got no response. */
export class APIError extends PostureError {
  override name = 'APIError'
  /** The HTTP status; undefined when no response arrived (APIConnectionError). */
  readonly status: number | undefined
  /** The problem's stable `code` (SPEC §5), e.g. `invalid_request`, `idempotency_key_reused`. */
  readonly code: string | undefined
  /** The RFC 9457 problem+json body, when the response carried one. */
  readonly problem: Problem | undefined
  /** The parsed error body as it came (the problem, or text when the body was not JSON). */
  readonly error: unknown
  /** The server's request id (`x-request-id`): quote it when reporting a problem. */
  readonly requestId: string | undefined
  readonly headers: Headers | undefined

  constructor (status: number | undefined, error: unknown, message: string | undefined, headers: Headers | undefined) {
    super(APIError.makeMessage(status, error, message))
    this.status = status
    this.error = error
    this.headers = headers
    this.problem = isProblem(error) ? error : undefined
    this.code = this.problem?.code
    this.requestId = headers?.get('x-request-id') ?? this.problem?.request_id ?? undefined
  }

  /** Field-level details of a 400/422 (`[{ field, message }]`), empty when there are none. */
  get errors (): Array<{ field: string, message: string }> {
    return this.problem?.errors ?? []
  }

  private static makeMessage (status: number | undefined, error: unknown, message: string | undefined): string {
    const detail = isProblem(error)
      ? error.detail
      : typeof error === 'string' && error !== '' ? error : message ?? (error === undefined ? undefined : JSON.stringify(error))
    if (status && detail) return `${status} ${detail}`
    if (status) return `${status} status code (no body)`
    return detail ?? '(no status code or body)'
  }

  /** The error class for a response status (413, 415, 405 and other statuses get APIError itself). */
  static generate (status: number, error: unknown, headers: Headers): APIError {
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError)
    return new Class(status, error, undefined, headers)
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError'
  declare readonly status: 400
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError'
  declare readonly status: 401
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError'
  declare readonly status: 403
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError'
  declare readonly status: 404
}
export class ConflictError extends APIError {
  override name = 'ConflictError'
  declare readonly status: 409
}
export class PreconditionFailedError extends APIError {
  override name = 'PreconditionFailedError'
  declare readonly status: 412
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError'
  declare readonly status: 422
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError'
  declare readonly status: 429
}
/** Any 5xx (503 when the database is unreachable; the service recovers by itself). */
export class InternalServerError extends APIError {
  override name = 'InternalServerError'
  declare readonly status: number
}

const STATUS_CLASSES: Record<number, new (status: number, error: unknown, message: string | undefined, headers: Headers) => APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  422: UnprocessableEntityError,
  429: RateLimitError
}

/** No response: the connection failed, was dropped, or (subclass) timed out. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError'
  declare readonly status: undefined
  constructor ({ message, cause }: { message?: string, cause?: unknown } = {}) {
    super(undefined, undefined, message ?? 'Connection error.', undefined)
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause
  }
}

/** The request took longer than `timeoutMs` (per attempt) and was aborted. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError'
  constructor ({ message }: { message?: string } = {}) {
    super({ message: message ?? 'Request timed out.' })
  }
}

/** The caller aborted the request through its `signal`. Never retried. */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError'
  declare readonly status: undefined
  constructor ({ message }: { message?: string } = {}) {
    super(undefined, undefined, message ?? 'Request was aborted.', undefined)
  }
}

function isProblem (body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number' && typeof (body as Problem).detail === 'string'
}
