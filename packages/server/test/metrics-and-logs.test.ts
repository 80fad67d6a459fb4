import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { testBackends } from './support/backends.ts'
import { TEST_SECRET, startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { loggerOptions } from '../src/http/logging.ts'

// SPEC §7 GET /metrics (Prometheus text: requests and latency by route and status, the DB pool);
// structured JSON logs carrying the request id, in which no token or secret ever appears.

for (const backend of await testBackends()) {
  describe(`metrics and logs on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    const lines: string[] = []
    const stream = new Writable({
      write (chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean))
        done()
      }
    })
    before(async () => {
      t = await startTestApp(backend, { app: { logger: loggerOptions({ level: 'trace', stream }) } })
    })
    after(async () => { await t?.close() })

    test('GET /metrics: counts and latency histograms by route pattern and status, and the pool', async () => {
      const created = await t.call('POST', '/api/v1/vulnerabilities', { body: { title: 'metered' } })
      await t.call('GET', `/api/v1/vulnerabilities/${created.json().id}`)
      await t.call('GET', '/api/v1/vulnerabilities/vul_missing')
      const res = await t.app.inject({ url: '/metrics' })
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
      const text = res.body
      assert.match(text, /# TYPE http_requests_total counter/)
      assert.match(text, /http_requests_total\{method="POST",route="\/api\/v1\/vulnerabilities",status="201"\} 1/)
      assert.match(text, /http_requests_total\{method="GET",route="\/api\/v1\/vulnerabilities\/:id",status="200"\} 1/)
      assert.match(text, /http_requests_total\{method="GET",route="\/api\/v1\/vulnerabilities\/:id",status="404"\} 1/)
      assert.match(text, /# TYPE http_request_duration_seconds histogram/)
      assert.match(text, /http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/api\/v1\/vulnerabilities",status="201"\} \d/)
      assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/vulnerabilities",status="201"\} 1/)
      assert.match(text, /db_pool_connections\{state="total"\} \d+/)
      assert.match(text, /db_pool_connections\{state="in_use"\} \d+/)
      // Ids never become labels.
      assert.doesNotMatch(text, /vul_[0-9A-Z]{26}/)
    })

    test('logs are JSON lines with the request id, and never hold a token or the secret', async () => {
      const token = await t.token()
      const expired = await t.token({ ttlSeconds: -3600 })
      await t.call('GET', '/api/v1/vulnerabilities', { token, headers: { 'x-request-id': 'req-logged-1', cookie: `session=${token}` } })
      await t.call('GET', '/api/v1/vulnerabilities', { token: expired })
      await t.call('GET', '/api/v1/vulnerabilities', { token: token + 'tampered' })
      await t.call('POST', '/api/v1/vulnerabilities', { token, body: '{"broken json' })
      assert.ok(lines.length > 0)
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      const mine = parsed.filter((entry) => entry.request_id === 'req-logged-1')
      assert.ok(mine.length >= 2, 'request and response lines carry the request id')
      const all = lines.join('\n')
      for (const secret of [token, expired, TEST_SECRET, token.split('.')[2]!, expired.split('.')[2]!]) {
        assert.equal(all.includes(secret), false, 'a token or secret reached the logs')
      }
      assert.doesNotMatch(all, /Bearer /)
    })
  })
}

describe('GET /metrics with METRICS_TOKEN', () => {
  test('needs the bearer token when one is configured: 401 problem without it or with another', async () => {
    const sqlite = (await testBackends()).find((b) => b.name === 'sqlite')!
    const t = await startTestApp(sqlite, { app: { metricsToken: 'scrape-secret' } })
    try {
      for (const authorization of [undefined, 'Bearer wrong', 'Bearer scrape-secret-and-more', 'scrape-secret']) {
        const res = await t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} })
        assert.equal(res.statusCode, 401, String(authorization))
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
        assert.equal(res.json().code, 'unauthenticated')
        assert.doesNotMatch(res.body, /http_requests_total/)
      }
      const ok = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })
      assert.equal(ok.statusCode, 200)
      assert.match(ok.body, /# TYPE http_requests_total counter/)
    } finally {
      await t.close()
    }
  })
})
