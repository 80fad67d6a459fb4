// @posture/sdk: the typed client of the Posture risk & compliance API (SPEC §8).
export { PostureClient, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './client.ts'
export type { ClientOptions } from './client.ts'
export { APIPromise } from './core/api-promise.ts'
export type { WithResponse } from './core/api-promise.ts'
export { Page, PagePromise } from './core/pagination.ts'
export {
  PostureError, APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError,
  BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError, ConflictError,
  PreconditionFailedError, UnprocessableEntityError, RateLimitError, InternalServerError
} from './core/errors.ts'
export type { ActionOptions, CreateOptions, ReadOptions, RequestOptions, RequestSpec, UpdateOptions, HttpMethod } from './core/options.ts'
export type { Fetch } from './core/transport.ts'
export { Vulnerabilities, ComplianceControls, RiskItems, Risk } from './resources/index.ts'
export { Resource } from './resources/resource.ts'
export type { WithETag, HistoryEntry } from './resources/resource.ts'
export type * from './generated/types.ts'
export { RESOURCES } from './generated/types.ts'
