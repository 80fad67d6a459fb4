import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { MAX_JSON_DEPTH, MAX_URL_LENGTH } from '../src/http/input-limits.ts'

// SPEC §5 limits: bodies over 1 MiB → 413; deep JSON, NUL bytes and lone surrogates → 400 before
// they reach the database; long URLs → 414; security headers on every response; CORS off unless
// configured.

const VULNS = '/api/v1/vulnerabilities'
const CONTROLS = '/api/v1/compliance-controls'

for (const backend of await testBackends()) {
  describe(`input limits on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    const total = async () => (await t.call('GET', `${VULNS}?include_total=true&include_deleted=true&limit=1`)).json().total as number
    const expectProblem = (res: { statusCode: number, body: string, headers: Record<string, unknown> }, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body)
      assert.match(String(res.headers['content-type']), /application\/problem\+json/)
      assert.equal(JSON.parse(res.body).code, code)
    }

    test('a body over 1 MiB → 413, nothing written', async () => {
      const before = await total()
      expectProblem(await t.call('POST', VULNS, { body: JSON.stringify({ description: 'x'.repeat(1024 * 1024) }) }), 413, 'payload_too_large')
      assert.equal(await total(), before)
    })

    test(`JSON nested deeper than ${MAX_JSON_DEPTH} levels → 400 (also inside free-form JSON fields)`, async () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000)
      expectProblem(await t.call('POST', VULNS, { body: deep }), 400, 'invalid_request')
      let nested: unknown = {}
      for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) nested = { n: nested }
      expectProblem(await t.call('POST', CONTROLS, { body: { custom_fields: nested } }), 400, 'invalid_request')
      // Brackets inside strings do not count as nesting.
      const ok = await t.call('POST', VULNS, { body: { title: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' } })
      assert.equal(ok.statusCode, 201, ok.body)
    })

    test('a URL longer than the limit → 414; a NUL byte in the query → 400', async () => {
      expectProblem(await t.call('GET', `${VULNS}?search=${'a'.repeat(MAX_URL_LENGTH)}`), 414, 'uri_too_long')
      expectProblem(await t.call('GET', `${VULNS}?search=a%00b`), 400, 'invalid_request')
      expectProblem(await t.call('GET', `${VULNS}?title=%00`), 400, 'invalid_request')
    })

    test('NUL bytes and lone surrogates in a body → 400 naming the field, nothing written', async () => {
      const before = await total()
      const nul = await t.call('POST', VULNS, { body: '{"title":"a\\u0000b"}' })
      expectProblem(nul, 400, 'invalid_request')
      assert.equal(nul.json().errors[0].field, 'title')
      expectProblem(await t.call('POST', CONTROLS, { body: '{"custom_fields":{"k\\u0000":"v"}}' }), 400, 'invalid_request')
      expectProblem(await t.call('POST', CONTROLS, { body: '{"tags":["ok","\\ud800"]}' }), 400, 'invalid_request')
      const id = (await t.call('POST', VULNS, { body: { title: 'fine' } })).json().id
      expectProblem(await t.call('PATCH', `${VULNS}/${id}`, { body: '{"description":"\\u0000"}', headers: { 'content-type': 'application/merge-patch+json' } }), 400, 'invalid_request')
      assert.equal(await total(), before + 1)
      // Valid astral characters pass unchanged.
      const emoji = await t.call('POST', VULNS, { body: { title: 'héllo 🔥 世界' } })
      assert.equal(emoji.json().title, 'héllo 🔥 世界')
    })

    test('an empty body with a JSON Content-Type is no body (DELETE, restore, create)', async () => {
      const id = (await t.call('POST', VULNS, { body: {} })).json().id
      const json = { 'content-type': 'application/json' }
      assert.equal((await t.call('DELETE', `${VULNS}/${id}`, { headers: json })).statusCode, 200)
      assert.equal((await t.call('POST', `${VULNS}/${id}/restore`, { headers: json })).statusCode, 200)
      assert.equal((await t.call('POST', VULNS, { body: '' })).statusCode, 201)
      assert.equal((await t.call('POST', VULNS, { body: '   ' })).statusCode, 201)
    })

    test('security headers on API responses; no CORS headers by default', async () => {
      const res = await t.call('GET', VULNS, { headers: { origin: 'https://evil.example' } })
      assert.equal(res.headers['x-content-type-options'], 'nosniff')
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/)
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/)
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
      assert.ok(res.headers['strict-transport-security'])
      assert.equal(res.headers['access-control-allow-origin'], undefined)
      const problem = await t.call('GET', `${VULNS}/nope`)
      assert.equal(problem.headers['x-content-type-options'], 'nosniff')
    })
  })
}

describe('CORS when configured', () => {
  let t: TestApp
  before(async () => {
    const [sqlite] = await testBackends()
    t = await startTestApp(sqlite!, { app: { corsOrigins: ['https://app.example'] } })
  })
  after(async () => { await t?.close() })

  test('an allowed origin gets CORS headers exposing ETag and the rate-limit headers; others none', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: VULNS,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,if-match,idempotency-key' }
    })
    assert.equal(preflight.statusCode, 204)
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example')
    assert.match(String(preflight.headers['access-control-allow-headers']), /idempotency-key/)
    const res = await t.call('GET', VULNS, { headers: { origin: 'https://app.example' } })
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example')
    assert.match(String(res.headers['access-control-expose-headers']), /etag/)
    const other = await t.call('GET', VULNS, { headers: { origin: 'https://evil.example' } })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
  })
})
