// Per-call options. Each operation accepts only the ones that mean something for it: `ifMatch`
// on writes to an existing record, `idempotencyKey` on POSTs.

export interface RequestOptions {
  /** Abort the call (surfaces as APIUserAbortError; never retried). */
  signal?: AbortSignal
  /** Per attempt, in ms; overrides the client's `timeoutMs`. */
  timeoutMs?: number
  /** Overrides the client's `maxRetries` for this call (0 disables retries). */
  maxRetries?: number
  /** Extra request headers (they win over the SDK's own). */
  headers?: Record<string, string>
}

export interface IfMatchOptions {
  /** Only write when the record still has this ETag (else PreconditionFailedError, 412). */
  ifMatch?: string
}

export interface IdempotencyOptions {
  /**
   * The Idempotency-Key of this POST (≤ 255 characters). The SDK generates one per call when not
   * given, and sends the same key on every retry of the call.
   */
  idempotencyKey?: string
}

export type ReadOptions = RequestOptions
export type CreateOptions = RequestOptions & IdempotencyOptions
export type UpdateOptions = RequestOptions & IfMatchOptions
export type ActionOptions = RequestOptions & IfMatchOptions & IdempotencyOptions
export type AnyOptions = RequestOptions & IfMatchOptions & IdempotencyOptions

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** One request, before the SDK adds auth, retries and timeouts. */
export interface RequestSpec {
  method: HttpMethod
  /** Path under the base URL, e.g. `/api/v1/vulnerabilities`. */
  path: string
  /** List-style parameters (see core/query.ts). */
  query?: object
  body?: unknown
}
