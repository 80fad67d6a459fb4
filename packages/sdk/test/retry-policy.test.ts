import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, isRetryableStatus, retryAfterMs } from '../src/core/retry.ts'
import { uuid4 } from '../src/core/uuid.ts'

// The pure pieces of the retry policy: how Retry-After is read, the backoff's growth and jitter,
// which statuses are retried, and the idempotency key's fallback generator.

const headers = (init: Record<string, string>) => new Headers(init)

test('Retry-After: retry-after-ms first, then seconds, then an HTTP date', () => {
  const now = Date.parse('2026-12-04T12:00:00Z')
  assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250)
  assert.equal(retryAfterMs(headers({ 'retry-after': '2' }), now), 2000)
  assert.equal(retryAfterMs(headers({ 'retry-after': '1.5' }), now), 1500)
  assert.equal(retryAfterMs(headers({ 'retry-after': 'Fri, 04 Dec 2026 12:00:30 GMT' }), now), 30_000)
  assert.equal(retryAfterMs(headers({ 'retry-after': 'Fri, 04 Dec 2026 11:00:00 GMT' }), now), 0)
  assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' }), now), undefined)
  assert.equal(retryAfterMs(headers({ 'retry-after-ms': 'x', 'retry-after': '1' }), now), 1000)
  assert.equal(retryAfterMs(headers({}), now), undefined)
})

test('backoff doubles from 0.5 s to a cap of 8 s, with up to 25 % jitter below it', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, () => 0)), [500, 1000, 2000, 4000, 8000, 8000, 8000])
  assert.equal(backoffMs(0, () => 1), 375)
  assert.equal(backoffMs(3, () => 0.5), 3500)
})

test('retried statuses: 408, 429, 5xx but 501; x-should-retry decides when present', () => {
  const none = headers({})
  assert.deepEqual([400, 401, 403, 404, 408, 409, 412, 422, 429, 500, 501, 502, 503, 504].filter((s) => isRetryableStatus(s, none)), [408, 429, 500, 502, 503, 504])
  assert.equal(isRetryableStatus(503, headers({ 'x-should-retry': 'false' })), false)
  assert.equal(isRetryableStatus(409, headers({ 'x-should-retry': 'true' })), true)
})

test('idempotency keys are v4 UUIDs, also where crypto.randomUUID is missing (Node 18)', () => {
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  assert.match(uuid4(), v4)
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!
  try {
    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: (a: Uint8Array) => a.fill(0xff) }, configurable: true })
    assert.equal(uuid4(), 'ffffffff-ffff-4fff-bfff-ffffffffffff')
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    const keys = new Set(Array.from({ length: 100 }, uuid4))
    assert.equal(keys.size, 100)
    for (const key of keys) assert.match(key, v4)
  } finally {
    Object.defineProperty(globalThis, 'crypto', descriptor)
  }
})
