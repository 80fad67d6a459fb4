import { APIPromise } from './core/api-promise.ts'
import type { RawResponse } from './core/api-promise.ts'
import { PostureError } from './core/errors.ts'
import type { AnyOptions, ReadOptions, RequestSpec } from './core/options.ts'
import { PagePromise } from './core/pagination.ts'
import { checkMaxRetries, checkTimeout, send } from './core/transport.ts'
import type { Fetch, TransportConfig } from './core/transport.ts'
import { ComplianceControls, Risk, RiskItems, Vulnerabilities } from './resources/index.ts'
import type { Requester } from './resources/resource.ts'

export interface ClientOptions {
  /**
   * Where the API is served. Default: the page's origin in a browser, else
   * `http://127.0.0.1:8080` (what `npm start` serves).
   */
  baseUrl?: string
  /** A bearer JWT, or a function returning one (called once per call, e.g. to refresh it). */
  token: string | (() => string | Promise<string>)
  /** Per attempt, in ms (default 60 000). A timed-out attempt is aborted and may be retried. */
  timeoutMs?: number
  /** Retries after the first attempt (default 2). */
  maxRetries?: number
  /** A fetch implementation (default: the global fetch). */
  fetch?: Fetch
}

export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_RETRIES = 2

function defaultBaseUrl (): string {
  const location = (globalThis as { location?: { origin?: string } }).location
  return typeof location?.origin === 'string' && /^https?:/.test(location.origin) ? location.origin : 'http://127.0.0.1:8080'
}

/**
 * The Posture API client.
 *
 * ```ts
 * const client = new PostureClient({ baseUrl: 'http://127.0.0.1:8080', token })
 * const page = await client.risk.vulnerabilities.list({ severity: 'critical' })
 * ```
 */
export class PostureClient {
  readonly baseUrl: string
  readonly timeoutMs: number
  readonly maxRetries: number
  /** The Risk & Compliance resources. */
  readonly risk: Risk
  /** Same as `client.risk.vulnerabilities`. */
  readonly vulnerabilities: Vulnerabilities
  /** Same as `client.risk.complianceControls`. */
  readonly complianceControls: ComplianceControls
  /** Same as `client.risk.riskItems`. */
  readonly riskItems: RiskItems
  readonly #config: TransportConfig
  readonly #options: ClientOptions

  constructor (options: ClientOptions) {
    if (options === undefined || (typeof options.token !== 'string' && typeof options.token !== 'function')) {
      throw new PostureError('PostureClient needs a token: new PostureClient({ baseUrl, token }).')
    }
    this.#options = options
    this.baseUrl = (options.baseUrl ?? defaultBaseUrl()).replace(/\/+$/, '')
    this.timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES)
    this.#config = { baseUrl: this.baseUrl, token: options.token, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries, fetch: options.fetch }
    const requester: Requester = {
      send: (spec, callOptions) => send(this.#config, spec, callOptions),
      page: (path, params, callOptions) => this.#page(path, params, callOptions)
    }
    this.risk = new Risk(requester)
    this.vulnerabilities = this.risk.vulnerabilities
    this.complianceControls = this.risk.complianceControls
    this.riskItems = this.risk.riskItems
  }

  /** A new client with some options replaced, e.g. another token or a longer timeout. */
  withOptions (options: Partial<ClientOptions>): PostureClient {
    return new PostureClient({ ...this.#options, ...options })
  }

  /**
   * A raw call to any endpoint, with the client's auth, retries and timeouts: resolves to the
   * parsed JSON body (`withResponse()` gives the Response too).
   */
  request<T = unknown> (spec: RequestSpec, options?: AnyOptions): APIPromise<T> {
    return new APIPromise(send(this.#config, spec, options), (raw: RawResponse) => raw.body as T)
  }

  #page<T> (path: string, params: object | undefined, options: ReadOptions | undefined): PagePromise<T> {
    const load = (cursor: string | undefined): PagePromise<T> => new PagePromise<T>(
      send(this.#config, { method: 'GET', path, query: cursor === undefined ? params : { ...params, cursor } }, options),
      load
    )
    return load(undefined)
  }
}
