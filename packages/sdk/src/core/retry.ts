// When and how long to wait before retrying (SPEC §8): 429, 5xx except 501, 408 and connection
// failures, with exponential backoff and jitter, honouring the server's Retry-After.

const INITIAL_DELAY_MS = 500
const MAX_BACKOFF_MS = 8_000
/** A Retry-After longer than this is not waited out inside one call: the error surfaces instead. */
export const MAX_RETRY_AFTER_MS = 60_000

export function isRetryableStatus (status: number, headers: Headers): boolean {
  // The server may say so explicitly (the convention Stripe and OpenAI's APIs use).
  const should = headers.get('x-should-retry')
  if (should === 'true') return true
  if (should === 'false') return false
  if (status === 408 || status === 429) return true
  return status >= 500 && status !== 501
}

/**
 * The server's requested delay in ms: `retry-after-ms`, else `Retry-After` as seconds or an HTTP
 * date (RFC 9110 §10.2.3). Undefined when absent or unparseable.
 */
export function retryAfterMs (headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms)
  const value = headers.get('retry-after')
  if (value === null || value.trim() === '') return undefined
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Exponential backoff with up to 25 % jitter: ~0.5 s, 1 s, 2 s, … capped at 8 s. */
export function backoffMs (retriesSoFar: number, random = Math.random): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retriesSoFar, MAX_BACKOFF_MS)
  return base * (1 - random() * 0.25)
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
