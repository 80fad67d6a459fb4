import type { RawResponse } from './api-promise.ts'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, PostureError } from './errors.ts'
import type { AnyOptions, RequestSpec } from './options.ts'
import { queryString } from './query.ts'
import { MAX_RETRY_AFTER_MS, backoffMs, isRetryableStatus, retryAfterMs, sleep } from './retry.ts'
import { uuid4 } from './uuid.ts'

// Sends one call: auth and content headers, an Idempotency-Key on every POST (the same one on
// each retry), a timeout per attempt that aborts the request, and retries (core/retry.ts).
// Only web APIs (fetch, Headers, AbortController): the SDK runs in browsers too.

export type Fetch = (input: string, init: RequestInit) => Promise<Response>

export interface TransportConfig {
  baseUrl: string
  token: string | (() => string | Promise<string>)
  timeoutMs: number
  maxRetries: number
  fetch: Fetch | undefined
}

export async function send (config: TransportConfig, spec: RequestSpec, options: AnyOptions = {}): Promise<RawResponse> {
  const url = `${config.baseUrl}${spec.path}${queryString(spec.query)}`
  const headers = await requestHeaders(config, spec, options)
  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body)
  const maxRetries = checkMaxRetries(options.maxRetries ?? config.maxRetries)
  const timeoutMs = checkTimeout(options.timeoutMs ?? config.timeoutMs)
  // Every method the SDK uses is safe to repeat: GET; PATCH, a merge patch (RFC 7396), and
  // DELETE, a soft delete, which give the same result applied twice; POST, because it always
  // carries an Idempotency-Key.
  // Once an attempt ends without a response, the service may still be processing it.
  let anAttemptWasLost = false
  for (let attempt = 0; ; attempt++) {
    let waitMs: number
    try {
      const raw = await attemptOnce(config, url, { method: spec.method, headers, ...(body === undefined ? {} : { body }) }, timeoutMs, options.signal)
      if (raw.response.ok) return raw
      const { status, headers: responseHeaders } = raw.response
      const error = APIError.generate(status, raw.body, responseHeaders)
      // A 409 after an attempt whose outcome we never saw is that attempt still being processed
      // under the same Idempotency-Key (SPEC §6): waiting lets it finish and then replay.
      const ownAttemptInFlight = status === 409 && spec.method === 'POST' && anAttemptWasLost
      if (attempt >= maxRetries || !(isRetryableStatus(status, responseHeaders) || ownAttemptInFlight)) throw error
      const requested = retryAfterMs(responseHeaders)
      if (requested !== undefined && requested > MAX_RETRY_AFTER_MS) throw error
      waitMs = requested ?? backoffMs(attempt)
    } catch (error) {
      if (!(error instanceof APIConnectionError) || attempt >= maxRetries) throw error
      waitMs = backoffMs(attempt)
      anAttemptWasLost = true
    }
    try {
      await sleep(waitMs, options.signal)
    } catch {
      throw new APIUserAbortError()
    }
  }
}

/** setTimeout fires at once for delays it cannot hold (over 2³¹−1 ms, Infinity): refuse them. */
const MAX_TIMEOUT_MS = 2_147_483_647

export function checkTimeout (value: number): number {
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMEOUT_MS)) {
    throw new PostureError(`timeoutMs must be a number of ms from 1 to ${MAX_TIMEOUT_MS} (got ${value}).`)
  }
  return value
}

export function checkMaxRetries (value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new PostureError(`maxRetries must be a non-negative integer (got ${value}).`)
  return value
}

async function requestHeaders (config: TransportConfig, spec: RequestSpec, options: AnyOptions): Promise<Headers> {
  const token = typeof config.token === 'function' ? await config.token() : config.token
  const headers = new Headers({ accept: 'application/json' })
  if (token) headers.set('authorization', `Bearer ${token}`)
  if (spec.body !== undefined) headers.set('content-type', spec.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json')
  if (spec.method === 'POST') headers.set('idempotency-key', options.idempotencyKey ?? uuid4())
  if (options.ifMatch !== undefined) headers.set('if-match', options.ifMatch)
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value)
  return headers
}

/** One HTTP exchange, body included, under the per-attempt timeout and the caller's signal. */
async function attemptOnce (config: TransportConfig, url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined): Promise<RawResponse> {
  if (signal?.aborted) throw new APIUserAbortError()
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onAbort = () => controller.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    // Looked up per call (not bound at construction) so a global fetch replaced later is used,
    // and called unbound-free so browsers do not throw "Illegal invocation".
    const doFetch = config.fetch ?? ((input: string, requestInit: RequestInit) => globalThis.fetch(input, requestInit))
    const response = await doFetch(url, { ...init, signal: controller.signal })
    return { response, body: await readBody(response) }
  } catch (error) {
    if (signal?.aborted) throw new APIUserAbortError()
    if (timedOut) throw new APIConnectionTimeoutError({ message: `Request timed out after ${timeoutMs} ms.` })
    if (error instanceof PostureError) throw error
    throw new APIConnectionError({ message: `Connection error: ${(error as Error)?.message ?? String(error)}`, cause: error })
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

async function readBody (response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  const type = response.headers.get('content-type') ?? ''
  if (!/[/+]json\b/i.test(type)) return text
  try {
    return JSON.parse(text)
  } catch (error) {
    if (!response.ok) return text
    throw new PostureError(`The ${response.status} response body is not valid JSON: ${(error as Error).message}`)
  }
}
