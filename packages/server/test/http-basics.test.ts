import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// SPEC §5 and §7 basics: problem+json for every error, x-request-id everywhere, 404/405/413/415,
// malformed JSON, health and readiness.

for (const backend of await testBackends()) {
  describe(`HTTP basics on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    const isProblem = (res: { headers: Record<string, unknown>, json(): any }, status: number, code: string) => {
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
      const body = res.json()
      assert.equal(body.status, status)
      assert.equal(body.code, code)
      assert.equal(typeof body.title, 'string')
      assert.equal(typeof body.detail, 'string')
      assert.equal(typeof body.type, 'string')
      assert.equal(body.request_id, res.headers['x-request-id'])
    }

    test('every response carries x-request-id, and a sane incoming one is kept', async () => {
      const ok = await t.call('GET', '/api/v1/vulnerabilities')
      assert.match(String(ok.headers['x-request-id']), /^req_/)
      const kept = await t.call('GET', '/api/v1/vulnerabilities', { headers: { 'x-request-id': 'trace-123' } })
      assert.equal(kept.headers['x-request-id'], 'trace-123')
      const replaced = await t.call('GET', '/api/v1/vulnerabilities', { headers: { 'x-request-id': 'bad id with spaces' } })
      assert.match(String(replaced.headers['x-request-id']), /^req_/)
      const health = await t.app.inject({ method: 'GET', url: '/healthz' })
      assert.ok(health.headers['x-request-id'])
    })

    test('unknown route → 404, wrong method → 405 with Allow', async () => {
      const missing = await t.call('GET', '/api/v1/nothing-here')
      assert.equal(missing.statusCode, 404)
      isProblem(missing, 404, 'not_found')
      const wrong = await t.call('PUT', '/api/v1/vulnerabilities')
      assert.equal(wrong.statusCode, 405)
      isProblem(wrong, 405, 'method_not_allowed')
      assert.match(String(wrong.headers.allow), /POST/)
      const wrongOnRecord = await t.call('PUT', '/api/v1/risk-items/rsk_01ARZ3NDEKTSV4RRFFQ69G5FAV')
      assert.equal(wrongOnRecord.statusCode, 405)
    })

    test('a missing record → 404 problem', async () => {
      const res = await t.call('GET', '/api/v1/vulnerabilities/vul_01ARZ3NDEKTSV4RRFFQ69G5FAV')
      assert.equal(res.statusCode, 404)
      isProblem(res, 404, 'not_found')
    })

    test('malformed JSON → 400; non-JSON body → 415; over 1 MiB → 413; nothing written', async () => {
      const before = (await t.call('GET', '/api/v1/vulnerabilities?include_total=true')).json().total
      const malformed = await t.call('POST', '/api/v1/vulnerabilities', { body: '{"title": ' })
      assert.equal(malformed.statusCode, 400)
      isProblem(malformed, 400, 'invalid_request')
      const notJson = await t.call('POST', '/api/v1/vulnerabilities', { body: 'title=x', headers: { 'content-type': 'text/plain' } })
      assert.equal(notJson.statusCode, 415)
      isProblem(notJson, 415, 'unsupported_media_type')
      const form = await t.call('POST', '/api/v1/vulnerabilities', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(form.statusCode, 415)
      const huge = await t.call('POST', '/api/v1/vulnerabilities', { body: JSON.stringify({ description: 'x'.repeat(1024 * 1024 + 10) }) })
      assert.equal(huge.statusCode, 413)
      isProblem(huge, 413, 'payload_too_large')
      const array = await t.call('POST', '/api/v1/vulnerabilities', { body: '[]' })
      assert.equal(array.statusCode, 400)
      const proto = await t.call('POST', '/api/v1/vulnerabilities', { body: '{"__proto__": {"x": 1}}' })
      assert.equal(proto.statusCode, 400)
      assert.equal((await t.call('GET', '/api/v1/vulnerabilities?include_total=true')).json().total, before)
    })

    test('bad query parameters → 400 naming them', async () => {
      for (const q of ['limit=0', 'limit=201', 'limit=abc', 'bogus=1', 'severity=urgent', 'cursor=garbage', 'include_deleted=yes']) {
        const res = await t.call('GET', `/api/v1/vulnerabilities?${q}`)
        assert.equal(res.statusCode, 400, q)
        isProblem(res, 400, 'invalid_request')
        assert.equal(res.json().errors[0].field, q.split('=')[0])
      }
    })

    test('healthz and readyz', async () => {
      const health = await t.app.inject({ method: 'GET', url: '/healthz' })
      assert.equal(health.statusCode, 200)
      assert.deepEqual(health.json(), { status: 'ok' })
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
      assert.equal(ready.statusCode, 200)
      assert.equal(ready.json().database, backend.name)
    })
  })
}
