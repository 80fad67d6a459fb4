import { afterEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { problem, startFakeServer } from './support/fake-server.ts'
import type { FakeServer, Step } from './support/fake-server.ts'
import {
  APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, ConflictError, InternalServerError,
  PostureClient, PostureError, RateLimitError
} from '../src/index.ts'
import type { ClientOptions } from '../src/index.ts'

// Retries, Retry-After, timeouts and idempotency keys, against a scripted HTTP server: the
// failures a real service will not produce on demand.

const RECORD = { id: 'vul_01HX', title: 'x' }
const ok = (body: unknown = RECORD, status = 200): Step => ({ status, body, headers: { etag: '"1"' } })
/** A 503 asking for an immediate retry, so tests do not sleep through the default backoff. */
const unavailable: Step = { status: 503, body: problem(503, 'unavailable'), headers: { 'retry-after-ms': '1' } }

let fake: FakeServer | undefined
afterEach(async () => { await fake?.close(); fake = undefined })

async function clientFor (steps: Step[], options: Partial<ClientOptions> = {}): Promise<PostureClient> {
  fake = await startFakeServer(steps)
  return new PostureClient({ baseUrl: fake.baseUrl, token: 'tok', ...options })
}

const keys = () => fake!.seen.map((r) => r.headers['idempotency-key'])

describe('retries', () => {
  test('a 503 burst is retried until it passes, within maxRetries', async () => {
    const client = await clientFor([unavailable, unavailable, ok()])
    assert.equal((await client.vulnerabilities.get('vul_01HX')).id, 'vul_01HX')
    assert.equal(fake!.seen.length, 3)
  })

  test('a longer burst exhausts maxRetries and surfaces the last error', async () => {
    const client = await clientFor([unavailable, unavailable, unavailable, ok()])
    const error = await client.vulnerabilities.list().then(() => null, (e: unknown) => e)
    assert.ok(error instanceof InternalServerError)
    assert.equal(error.status, 503)
    assert.equal(error.code, 'unavailable')
    assert.equal(fake!.seen.length, 3, 'one attempt and two retries')
  })

  test('maxRetries per call overrides the client\'s', async () => {
    const client = await clientFor([unavailable, unavailable, ok()], { maxRetries: 5 })
    await assert.rejects(client.vulnerabilities.get('vul_01HX', { maxRetries: 0 }), InternalServerError)
    assert.equal(fake!.seen.length, 1)
  })

  test('a create keeps one generated Idempotency-Key across its retries; the next call gets a new one', async () => {
    const client = await clientFor([unavailable, unavailable, ok(RECORD, 201), ok(RECORD, 201)])
    await client.vulnerabilities.create({ title: 'x' })
    await client.vulnerabilities.create({ title: 'x' })
    const [a, b, c, d] = keys()
    assert.match(String(a), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(b, a)
    assert.equal(c, a)
    assert.notEqual(d, a)
    assert.deepEqual(fake!.seen.map((r) => r.body), Array(4).fill('{"title":"x"}'))
  })

  test('resolve and restore send a generated key too; a given key is used as is', async () => {
    const client = await clientFor([ok(), ok(), unavailable, ok()])
    await client.vulnerabilities.resolve('vul_01HX')
    await client.vulnerabilities.restore('vul_01HX')
    await client.vulnerabilities.create({}, { idempotencyKey: 'import-42' })
    const [resolveKey, restoreKey, given, givenRetry] = keys()
    assert.ok(resolveKey && restoreKey && resolveKey !== restoreKey)
    assert.equal(given, 'import-42')
    assert.equal(givenRetry, 'import-42')
  })

  test('GET, PATCH and DELETE carry no Idempotency-Key and are retried (idempotent methods)', async () => {
    const client = await clientFor([unavailable, ok(), unavailable, ok(), unavailable, ok()])
    await client.vulnerabilities.get('vul_01HX')
    await client.vulnerabilities.update('vul_01HX', { title: 'y' }, { ifMatch: '"1"' })
    await client.vulnerabilities.delete('vul_01HX')
    assert.deepEqual(fake!.seen.map((r) => r.method), ['GET', 'GET', 'PATCH', 'PATCH', 'DELETE', 'DELETE'])
    assert.deepEqual(keys(), Array(6).fill(undefined))
    assert.equal(fake!.seen[3]!.headers['if-match'], '"1"', 'the retry keeps If-Match')
    assert.equal(fake!.seen[3]!.headers['content-type'], 'application/merge-patch+json')
  })

  test('a dropped connection is retried, with the same key for a POST', async () => {
    const client = await clientFor(['drop', ok(RECORD, 201)])
    assert.equal((await client.vulnerabilities.create({ title: 'x' })).id, 'vul_01HX')
    assert.equal(fake!.seen.length, 2)
    assert.equal(keys()[0], keys()[1])
  })

  test('dropped connections beyond maxRetries → APIConnectionError', async () => {
    const client = await clientFor(['drop', 'drop'], { maxRetries: 1 })
    const error = await client.vulnerabilities.list().then(() => null, (e: unknown) => e)
    assert.ok(error instanceof APIConnectionError)
    assert.ok(!(error instanceof APIConnectionTimeoutError))
    assert.equal(fake!.seen.length, 2)
  })

  test('a 409 after an attempt whose outcome was lost is the same key in flight: retried', async () => {
    const inFlight: Step = { status: 409, body: problem(409, 'conflict', 'in flight'), headers: { 'retry-after-ms': '1' } }
    const client = await clientFor(['drop', inFlight, inFlight, ok(RECORD, 201)], { maxRetries: 3 })
    assert.equal((await client.vulnerabilities.create({ title: 'x' })).id, 'vul_01HX')
    assert.equal(fake!.seen.length, 4)
    assert.equal(new Set(keys()).size, 1)
  })

  test('a 409 on a first attempt is a real conflict: not retried', async () => {
    const client = await clientFor([{ status: 409, body: problem(409, 'conflict') }, ok()])
    await assert.rejects(client.complianceControls.create({ framework: 'soc2', control_id: 'CC1' }), ConflictError)
    assert.equal(fake!.seen.length, 1)
  })

  test('4xx, 501 and x-should-retry: false are not retried; x-should-retry: true is', async () => {
    for (const step of [
      { status: 400, body: problem(400, 'invalid_request') },
      { status: 501, body: problem(501, 'internal') },
      { status: 503, body: problem(503, 'unavailable'), headers: { 'x-should-retry': 'false' } }
    ] satisfies Step[]) {
      const client = await clientFor([step, ok()])
      await assert.rejects(client.vulnerabilities.get('vul_01HX'), APIError)
      assert.equal(fake!.seen.length, 1, `status ${step.status}`)
      await fake!.close()
    }
    const client = await clientFor([{ status: 400, body: problem(400, 'invalid_request'), headers: { 'x-should-retry': 'true', 'retry-after-ms': '1' } }, ok()])
    await client.vulnerabilities.get('vul_01HX')
    assert.equal(fake!.seen.length, 2)
  })

  test('without Retry-After the client backs off by itself and retries', async () => {
    const client = await clientFor([{ status: 502, body: 'Bad gateway' }, ok()], { maxRetries: 1 })
    assert.equal((await client.vulnerabilities.get('vul_01HX')).id, 'vul_01HX')
    assert.equal(fake!.seen.length, 2)
  })
})

describe('Retry-After', () => {
  test('429 with Retry-After: 0 is retried; the RateLimitError carries the problem', async () => {
    const limited: Step = { status: 429, body: problem(429, 'rate_limited'), headers: { 'retry-after': '0' } }
    const client = await clientFor([limited, ok()])
    assert.equal((await client.vulnerabilities.get('vul_01HX')).id, 'vul_01HX')
    assert.equal(fake!.seen.length, 2)
    await fake!.close()
    const exhausted = await clientFor([limited], { maxRetries: 0 })
    const error = await exhausted.vulnerabilities.get('vul_01HX').then(() => null, (e: unknown) => e)
    assert.ok(error instanceof RateLimitError)
    assert.equal(error.status, 429)
    assert.equal(error.code, 'rate_limited')
    assert.equal(error.headers?.get('retry-after'), '0')
  })

  test('an HTTP-date Retry-After in the past is retried at once', async () => {
    const client = await clientFor([{ status: 429, body: problem(429, 'rate_limited'), headers: { 'retry-after': new Date(Date.now() - 5000).toUTCString() } }, ok()])
    await client.vulnerabilities.get('vul_01HX')
    assert.equal(fake!.seen.length, 2)
  })

  test('a Retry-After beyond a minute is not waited out: the error surfaces at once', async () => {
    const client = await clientFor([{ status: 429, body: problem(429, 'rate_limited'), headers: { 'retry-after': '3600' } }, ok()])
    await assert.rejects(client.vulnerabilities.get('vul_01HX'), RateLimitError)
    assert.equal(fake!.seen.length, 1)
  })
})

describe('timeouts and aborts', () => {
  test('a slow response hits the timeout: the request is aborted and surfaces as APIConnectionTimeoutError', async () => {
    const client = await clientFor(['hang'], { timeoutMs: 50, maxRetries: 0 })
    const error = await client.vulnerabilities.list().then(() => null, (e: unknown) => e)
    assert.ok(error instanceof APIConnectionTimeoutError)
    assert.ok(error instanceof APIConnectionError)
    assert.match(error.message, /timed out after 50 ms/)
  })

  test('a timed-out attempt is retried (with the same key for a POST); the per-call timeout wins', async () => {
    const client = await clientFor(['hang', ok(RECORD, 201)], { timeoutMs: 60_000 })
    await client.vulnerabilities.create({ title: 'x' }, { timeoutMs: 50 })
    assert.equal(fake!.seen.length, 2)
    assert.equal(keys()[0], keys()[1])
  })

  test('the caller\'s signal aborts the call: APIUserAbortError, not retried', async () => {
    const client = await clientFor(['hang', ok()])
    const controller = new AbortController()
    const call = client.vulnerabilities.get('vul_01HX', { signal: controller.signal })
    // Abort once the request is in the server's hands (not after a fixed delay, which a busy
    // machine can outrun), so the abort is the only thing that ends the call.
    while (fake!.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    await assert.rejects(call, APIUserAbortError)
    assert.equal(fake!.seen.length, 1)
  })

  test('an abort during the backoff stops the retries', async () => {
    const client = await clientFor([{ status: 503, body: problem(503, 'unavailable'), headers: { 'retry-after': '30' } }, ok()])
    const controller = new AbortController()
    const call = client.vulnerabilities.get('vul_01HX', { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await assert.rejects(call, APIUserAbortError)
    assert.equal(fake!.seen.length, 1)
  })
})

describe('request shape', () => {
  test('auth, accept and per-call headers; list parameters serialised as SPEC §4 says', async () => {
    const client = await clientFor([ok({ data: [], has_more: false, next_cursor: null })])
    await client.vulnerabilities.list({
      severity: 'critical',
      status: { in: ['open', 'in_progress'] },
      cvss_score: { gte: 9, lt: 10 },
      cve_id: { exists: true },
      discovered_at: { gt: new Date('2026-01-01T00:00:00Z') },
      search: 'open ssl',
      sort: ['-cvss_score', 'title'],
      limit: 10,
      include_deleted: false,
      overdue: true
    }, { headers: { 'x-request-id': 'trace-1' } })
    const [req] = fake!.seen
    assert.equal(req!.headers.authorization, 'Bearer tok')
    assert.equal(req!.headers.accept, 'application/json')
    assert.equal(req!.headers['x-request-id'], 'trace-1')
    const query = new URL(req!.url, 'http://x').searchParams
    assert.deepEqual([...query], [
      ['severity', 'critical'],
      ['status[in]', 'open,in_progress'],
      ['cvss_score[gte]', '9'],
      ['cvss_score[lt]', '10'],
      ['cve_id[exists]', 'true'],
      ['discovered_at[gt]', '2026-01-01T00:00:00.000Z'],
      ['search', 'open ssl'],
      ['sort', '-cvss_score,title'],
      ['limit', '10'],
      ['include_deleted', 'false'],
      ['overdue', 'true']
    ])
  })

  test('nextPage repeats the query with the cursor', async () => {
    const client = await clientFor([
      ok({ data: [{ id: 'a' }], has_more: true, next_cursor: 'c1' }),
      ok({ data: [{ id: 'b' }], has_more: false, next_cursor: null })
    ])
    const ids: string[] = []
    for await (const v of client.vulnerabilities.list({ severity: 'high', limit: 1 })) ids.push(v.id)
    assert.deepEqual(ids, ['a', 'b'])
    assert.equal(fake!.seen[1]!.url, '/api/v1/vulnerabilities?severity=high&limit=1&cursor=c1')
  })

  test('a non-JSON error body is kept as text in the error', async () => {
    const client = await clientFor([{ status: 502, body: undefined, headers: { 'content-type': 'text/html' } }], { maxRetries: 0 })
    const error = await client.vulnerabilities.list().then(() => null, (e: unknown) => e)
    assert.ok(error instanceof InternalServerError)
    assert.equal(error.problem, undefined)
    assert.equal(error.message, '502 status code (no body)')
  })

  test('a 2xx that is not a record (an HTML page from a proxy, broken JSON) is a PostureError, not a record', async () => {
    const client = await clientFor([
      { status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html' } },
      { status: 200, body: undefined, headers: { 'content-type': 'application/json', 'content-length': '0' } }
    ])
    await assert.rejects(client.vulnerabilities.get('vul_01HX'), (e: unknown) => e instanceof PostureError && !(e instanceof APIError) && /Expected a record in the 200 response/.test(e.message))
    await assert.rejects(client.vulnerabilities.list(), (e: unknown) => e instanceof PostureError && /Expected a page of records in the 200 response/.test(e.message))
  })
})
