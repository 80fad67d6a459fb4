import { PostureClient } from '@posture/sdk'
import type { CallSpec } from './call-spec.ts'
import { sdkArguments, sdkPath } from './call-spec.ts'

// Runs a call through the real SDK in the browser. The SDK is given a fetch that records what
// goes over the wire, so the page shows the exact request and response the SDK exchanged.

export interface Exchange {
  method: string
  url: string
  requestHeaders: Array<[string, string]>
  requestBody: string | null
  status?: number
  statusText?: string
  responseHeaders?: Array<[string, string]>
  responseBody?: string
}

export interface SdkError {
  name: string
  message: string
  status?: number
  code?: string
  requestId?: string
}

/** A list or history page as the SDK returns it. */
export interface SdkPage {
  data: unknown[]
  hasMore: boolean
  nextCursor: string | null
  /** With include_total: the count of all matches. */
  total?: number
  /** The following page; null after the last one. */
  nextPage(): Promise<SdkPage | null>
}

export interface RunResult {
  exchanges: Exchange[]
  value?: unknown
  page?: SdkPage
  error?: SdkError
}

function recordingFetch (log: Exchange[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const exchange: Exchange = {
      method: request.method,
      url: request.url,
      requestHeaders: [...request.headers.entries()],
      requestBody: request.method === 'GET' || request.method === 'HEAD' ? null : await request.clone().text()
    }
    log.push(exchange)
    const response = await fetch(request)
    exchange.status = response.status
    exchange.statusText = response.statusText
    exchange.responseHeaders = [...response.headers.entries()]
    exchange.responseBody = await response.clone().text()
    return response
  }
}

function isPage (value: unknown): value is SdkPage {
  return typeof value === 'object' && value !== null && Array.isArray((value as SdkPage).data) && typeof (value as SdkPage).nextPage === 'function'
}

function describeError (error: unknown): SdkError {
  const e = error as { name?: string, message?: string, status?: number, code?: string, requestId?: string, constructor?: { name?: string } }
  return {
    // The SDK names its classes (`UnprocessableEntityError`…); the bundle keeps names too.
    name: e?.name && e.name !== 'Error' ? e.name : (e?.constructor?.name ?? 'Error'),
    message: e?.message ?? String(error),
    ...(typeof e?.status === 'number' ? { status: e.status } : {}),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.requestId === 'string' ? { requestId: e.requestId } : {})
  }
}

async function settle (exchanges: Exchange[], work: () => Promise<unknown>): Promise<RunResult> {
  try {
    const value = await work()
    return isPage(value) ? { exchanges, value, page: value } : { exchanges, value }
  } catch (error) {
    return { exchanges, error: describeError(error) }
  }
}

export function createClient (token: string, log: Exchange[]): PostureClient {
  // No retries: the explorer shows each request exactly as it went out, once.
  return new PostureClient({ baseUrl: window.location.origin, token, fetch: recordingFetch(log), maxRetries: 0 })
}

export async function runCall (spec: CallSpec, token: string): Promise<RunResult> {
  const exchanges: Exchange[] = []
  const client = createClient(token, exchanges)
  const path = sdkPath(spec)
  const method = path.pop()!
  const target = path.reduce<Record<string, unknown>>((object, key) => object[key] as Record<string, unknown>, client as unknown as Record<string, unknown>)
  const fn = target[method] as (...args: unknown[]) => Promise<unknown>
  return await settle(exchanges, async () => await fn.apply(target, sdkArguments(spec)))
}

/** "Next page": the SDK page's own nextPage(), recorded the same way. */
export async function runNextPage (page: SdkPage, log: Exchange[]): Promise<RunResult> {
  const start = log.length
  const result = await settle(log, async () => await page.nextPage() ?? { data: [], hasMore: false, nextCursor: null, nextPage: async () => null })
  return { ...result, exchanges: log.slice(start) }
}
