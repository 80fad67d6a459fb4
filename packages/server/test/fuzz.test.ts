import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { sql } from 'kysely'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { HOSTILE_STRINGS, bodyFor, hostileValue, validValue } from './support/schema-arbitrary.ts'
import type { Schema } from './support/schema-arbitrary.ts'
import { RESOURCES } from '../src/resources/index.ts'
import { recordFigure } from './support/figures.ts'

// Hostile input (SPEC §5: client input never yields a 5xx; a rejected write changes nothing),
// property-based over every operation of /openapi.json: generated valid and invalid bodies,
// queries and headers. Every response is < 500, every error is problem+json, and a request
// answered 4xx leaves the database exactly as it was. FUZZ_RUNS sets the cases per backend.

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined

interface Operation { method: string, path: string, op: Schema, toString(): string }

/** Row counts and version sums of every table a write touches: equal before and after ⇔ nothing written. */
async function stateOf (t: TestApp): Promise<string> {
  // One statement (scalar subqueries), so checking thousands of cases stays cheap.
  const parts = [
    ...RESOURCES.map((r) => sql`(select count(*) || ':' || coalesce(sum(version), 0) from ${sql.table(r.table)})`),
    ...['record_history', 'control_mappings', 'risk_control_links', 'idempotency_keys'].map((table) => sql`(select count(*) from ${sql.table(table)})`)
  ]
  const row = await sql<Record<string, unknown>>`select ${sql.join(parts.map((part, i) => sql`${part} as ${sql.ref(`s${i}`)}`))}`.execute(t.database.kysely)
  return JSON.stringify(row.rows[0])
}

function assertProblem (res: { statusCode: number, body: string, headers: Record<string, unknown> }, context: string) {
  assert.ok(res.statusCode < 500, `${context} → ${res.statusCode} ${res.body}`)
  if (res.statusCode >= 400) {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${context}: ${res.body}`)
    const problem = JSON.parse(res.body)
    assert.equal(problem.status, res.statusCode)
    assert.equal(typeof problem.code, 'string')
    assert.equal(typeof problem.request_id, 'string')
  }
}

for (const backend of await testBackends()) {
  describe(`hostile input on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let doc: Schema
    let operations: Operation[]
    const ids: Record<string, string> = {}

    before(async () => {
      t = await startTestApp(backend)
      doc = (await t.app.inject({ url: '/openapi.json' })).json()
      operations = []
      for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
        for (const [method, op] of Object.entries(methods)) {
          // Printed in counterexamples: the operation, not its whole OpenAPI object.
          operations.push({ method: method.toUpperCase(), path, op, toString: () => `${method.toUpperCase()} ${path}` })
        }
      }
      for (const resource of RESOURCES) {
        ids[resource.path] = (await t.call('POST', `/api/v1/${resource.path}`, { body: {} })).json().id
      }
    })
    after(async () => { await t?.close() })

    const send = async (method: string, url: string, body: unknown, headers: Record<string, string> = {}, raw = false) => {
      const token = await t.token()
      return await t.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: raw ? String(body) : JSON.stringify(body) } : {})
      })
    }

    test(`${RUNS} generated requests over every operation: no 5xx, problem+json errors, no write from a rejected one`, async () => {
      const bodySchemaOf = (op: Schema): Schema | undefined => op.requestBody?.content?.['application/json']?.schema
      const caseArb = fc.constantFrom(...operations).chain((operation) => {
        const params = (operation.op.parameters ?? []) as Schema[]
        const queryParams = params.filter((p) => p.in === 'query')
        const query = queryParams.length === 0
          ? fc.constant({})
          : fc.uniqueArray(fc.constantFrom(...queryParams), { maxLength: 3, selector: (p) => p.name })
            .chain((chosen) => fc.tuple(...chosen.map((p) => fc.oneof(validValue(p.schema, doc), hostileValue()).map((v) => [p.name, v] as const))))
            .map((pairs) => Object.fromEntries(pairs))
        // Mostly well-formed headers, so that many generated requests get as far as a write.
        const headers = fc.record({
          'if-match': fc.oneof({ weight: 3, arbitrary: fc.constant('*') }, fc.constant('"1"'), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => /^[\x20-\x7e]*$/.test(s)))),
          'idempotency-key': fc.oneof({ weight: 4, arbitrary: fc.uuid() }, fc.constant('k'.repeat(300)), fc.constant('fixed-key')),
          'content-type': fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, fc.constant('application/merge-patch+json'),
            fc.constantFrom('text/plain', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data'))
        }, { requiredKeys: [] })
        const body = operation.method === 'GET' || operation.method === 'DELETE'
          ? fc.constant(undefined)
          : fc.oneof(
            { weight: 6, arbitrary: bodyFor(bodySchemaOf(operation.op), doc).map((b) => ({ ...b, raw: false })) },
            fc.constantFrom('{', '{"title":', '[1,2', 'nul', '"\\u00"', '{"a":1}{"b":2}', '').map((text) => ({ body: text, kind: 'junk' as const, raw: true }))
          )
        const id = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('vul_00000000000000000000000000', "x' or 1=1 --", '%2e%2e', 'ü'.repeat(300)) })
        return fc.record({ operation: fc.constant(operation), query, headers, body, id })
      })

      let cases = 0
      let rejectedWrites = 0
      let acceptedWrites = 0
      await fc.assert(fc.asyncProperty(caseArb, async ({ operation, query, headers, body, id }) => {
        cases++
        const resource = RESOURCES.find((r) => operation.path.startsWith(`/api/v1/${r.path}`))!
        const path = operation.path.replace('{id}', encodeURIComponent(id || ids[resource.path]!))
        const search = new URLSearchParams()
        for (const [name, value] of Object.entries(query)) search.append(name, typeof value === 'string' ? value : JSON.stringify(value))
        const url = search.size > 0 ? `${path}?${search}` : path
        const write = operation.method !== 'GET'
        const before = write ? await stateOf(t) : ''
        const sent = body === undefined ? undefined : body.body
        const res = await send(operation.method, url, sent, headers as Record<string, string>, body?.raw ?? false)
        const context = `${operation.method} ${url} ${JSON.stringify(headers)} ${body?.raw ? String(sent) : JSON.stringify(sent)?.slice(0, 300)}`
        assertProblem(res, context)
        if (write && res.statusCode < 300) acceptedWrites++
        // The state probe sees writes: every create changes it (so "unchanged" below means something).
        if (res.statusCode === 201 && res.headers['idempotent-replayed'] === undefined) assert.notEqual(await stateOf(t), before)
        if (write && res.statusCode >= 400) {
          rejectedWrites++
          assert.equal(await stateOf(t), before, `a rejected request wrote something: ${context} → ${res.statusCode} ${res.body}`)
        }
      }), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true })
      recordFigure(`fuzz_cases.${backend.name}`, cases)
      recordFigure(`fuzz_rejected_writes_checked.${backend.name}`, rejectedWrites)
      recordFigure(`fuzz_accepted_writes.${backend.name}`, acceptedWrites)
    })

    test('SQL and JSON injection strings are stored and searched as plain data', async () => {
      const storable = HOSTILE_STRINGS.filter((s) => s.trim() !== '' && s.length <= 255 && !s.includes('\u0000') &&
        !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
      // A tenant of its own: the generated cases above may store the same strings.
      const send = async (method: string, url: string, body: unknown) =>
        await t.call(method, url, { as: { tenant: 'injection-probe' }, ...(body === undefined ? {} : { body }) })
      for (const text of storable) {
        const created = await send('POST', '/api/v1/vulnerabilities', { title: text, description: text, source: text })
        assert.equal(created.statusCode, 201, `${JSON.stringify(text)}: ${created.body}`)
        assert.equal(created.json().title, text)
        assert.equal(created.json().source, text)
        const found = await send('GET', `/api/v1/vulnerabilities?source=${encodeURIComponent(text)}&limit=200`, undefined)
        assert.equal(found.statusCode, 200, `source=${text}: ${found.body}`)
        assert.deepEqual(found.json().data.map((r: { id: string }) => r.id), [created.json().id], `source=${text}`)
        assertProblem(await send('GET', `/api/v1/vulnerabilities?search=${encodeURIComponent(text)}`, undefined), `search=${text}`)
        assertProblem(await send('GET', `/api/v1/vulnerabilities?sort=${encodeURIComponent(text)}`, undefined), `sort=${text}`)
      }
    })

    test('NUL bytes and lone surrogates anywhere → 400, never 500, nothing written', async () => {
      const before = await stateOf(t)
      for (const [url, body] of [
        ['/api/v1/vulnerabilities', '{"title":"\\u0000"}'],
        ['/api/v1/vulnerabilities', '{"cve_id":"CVE-2024-0001\\u0000"}'],
        ['/api/v1/compliance-controls', '{"evidence":[{"note":"\\u0000"}]}'],
        ['/api/v1/compliance-controls', '{"custom_fields":{"\\u0000":1}}'],
        ['/api/v1/risk-items', '{"title":"\\udc00"}'],
        [`/api/v1/vulnerabilities/${ids.vulnerabilities}/resolve`, '{"status":"false_positive","justification":"\\u0000"}']
      ] as const) {
        const res = await send('POST', url, body, {}, true)
        assert.equal(res.statusCode, 400, `${url} ${body}: ${res.body}`)
      }
      for (const query of ['title=%00', 'search=%00', 'cve_id[in]=a,%00', 'sort=%00', 'cursor=%00']) {
        assert.equal((await send('GET', `/api/v1/vulnerabilities?${query}`, undefined)).statusCode, 400, query)
      }
      assert.equal(await stateOf(t), before)
    })

    test('__proto__ and constructor keys are rejected or inert; no prototype is polluted', async () => {
      for (const body of ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
        '{"custom_fields":{"__proto__":{"polluted":true}}}', '{"custom_fields":{"constructor":{"prototype":{"polluted":true}}}}']) {
        const res = await send('POST', '/api/v1/compliance-controls', body, {}, true)
        assertProblem(res, body)
        assert.equal(res.statusCode, 400, `${body}: ${res.body}`)
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined)
    })

    test('numbers as strings and strings as numbers → 400', async () => {
      for (const [url, body] of [
        ['/api/v1/vulnerabilities', { cvss_score: '7.5' }],
        ['/api/v1/vulnerabilities', { title: 42 }],
        ['/api/v1/vulnerabilities', { cvss_score: 1e308 }],
        ['/api/v1/compliance-controls', { effectiveness: '0.5' }],
        ['/api/v1/compliance-controls', { tags: [1, 2] }],
        ['/api/v1/risk-items', { likelihood: 3 }]
      ] as const) {
        const res = await send('POST', url, body)
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      }
      for (const query of ['cvss_score[gte]=abc', 'limit=ten', 'limit=1e3', 'cvss_score=NaN', 'created_at[gt]=yesterday']) {
        assert.equal((await send('GET', `/api/v1/vulnerabilities?${query}`, undefined)).statusCode, 400, query)
      }
    })

    test('10,000-element arrays are refused cheaply or stored within the limits', async () => {
      const before = await stateOf(t)
      const big = Array.from({ length: 10_000 }, (_, i) => `ast_${i}`)
      assert.equal((await send('POST', '/api/v1/compliance-controls', { linked_asset_ids: big })).statusCode, 400)
      assert.equal((await send('POST', '/api/v1/compliance-controls', { tags: big })).statusCode, 400)
      assert.equal((await send('POST', '/api/v1/risk-items', { linked_vulnerability_ids: big })).statusCode, 400)
      const evidence = Array.from({ length: 10_000 }, () => ({ k: 'v' }))
      const res = await send('POST', '/api/v1/compliance-controls', { evidence })
      assertProblem(res, 'evidence x 10k')
      assert.ok([400, 413, 422].includes(res.statusCode), res.body)
      assert.equal(await stateOf(t), before)
      const key = randomUUID()
      assert.equal((await send('POST', '/api/v1/compliance-controls', { linked_asset_ids: big.slice(0, 1000) }, { 'idempotency-key': key })).statusCode, 201)
    })
  })
}
