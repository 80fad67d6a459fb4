import { test } from 'node:test'
import assert from 'node:assert/strict'
import SwaggerParser from '@apidevtools/swagger-parser'
import { buildApp } from '../src/app.ts'
import { openDatabase } from '../src/store/database.ts'
import { migrate } from '../src/store/migrations.ts'
import { RESOURCES, allFields } from '../src/resources/index.ts'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'

// GET /openapi.json is OpenAPI 3.1, valid under an external validator, and names every
// operation, parameter, schema (every seed field, read-only ones marked) and error response.

async function fetchDocument () {
  const database = openDatabase('sqlite::memory:')
  await migrate(database)
  const app = await buildApp({ database, auth: { jwtSecret: 'x'.repeat(32) } })
  try {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    assert.equal(res.statusCode, 200)
    return res.json()
  } finally {
    await app.close()
    await database.close()
  }
}

test('the OpenAPI document validates with swagger-parser', async () => {
  const doc = await fetchDocument()
  assert.equal(doc.openapi, '3.1.0')
  await SwaggerParser.validate(structuredClone(doc))
})

test('every operation of every resource is documented with its errors', async () => {
  const doc = await fetchDocument()
  const expected: Array<[string, string]> = []
  for (const r of RESOURCES) {
    const base = `/api/v1/${r.path}`
    for (const op of r.operations) {
      const [path, method] = ({
        list: [base, 'get'],
        create: [base, 'post'],
        get: [`${base}/{id}`, 'get'],
        update: [`${base}/{id}`, 'patch'],
        delete: [`${base}/{id}`, 'delete'],
        restore: [`${base}/{id}/restore`, 'post'],
        resolve: [`${base}/{id}/resolve`, 'post'],
        history: [`${base}/{id}/history`, 'get']
      } as Record<string, [string, string]>)[op]!
      expected.push([path, method])
    }
  }
  for (const [path, method] of expected) {
    const operation = doc.paths[path]?.[method]
    assert.ok(operation, `${method} ${path}`)
    assert.ok(operation.responses['400'] && operation.responses['401'] && operation.responses['403'], `${method} ${path} errors`)
    assert.equal(operation.responses['400'].content['application/problem+json'].schema.$ref, '#/components/schemas/Problem')
  }
  assert.ok(doc.paths['/api/v1/vulnerabilities/{id}/resolve'].post)
  assert.ok(!doc.paths['/api/v1/risk-items/{id}/resolve'])
})

test('every declared field is in its schema, read-only ones marked readOnly', async () => {
  const doc = await fetchDocument()
  for (const r of RESOURCES) {
    const schema = doc.components.schemas[r.title]
    for (const field of allFields(r)) {
      assert.ok(schema.properties[field.name], `${r.title}.${field.name}`)
      assert.equal(schema.properties[field.name].readOnly === true, field.readOnly === true, `${r.title}.${field.name} readOnly`)
    }
  }
  // The seed's field names, spot-checked against the document.
  for (const name of ['cve_id', 'cvss_vector', 'affected_asset_type', 'due_date', 'assigned_to']) assert.ok(doc.components.schemas.Vulnerability.properties[name])
  for (const name of ['control_ref', 'owner_id', 'next_review_date', 'mapped_control_ids', 'custom_fields', 'tags']) assert.ok(doc.components.schemas.ComplianceControl.properties[name])
  for (const name of ['risk_score', 'linked_vulnerability_ids', 'mitigation_plan']) assert.ok(doc.components.schemas.RiskItem.properties[name])
  assert.equal(doc.components.schemas.RiskItem.properties.risk_score.readOnly, true)
})

test('list parameters include every filterable field and operator', async () => {
  const doc = await fetchDocument()
  const names = doc.paths['/api/v1/vulnerabilities'].get.parameters.map((p: { name: string }) => p.name)
  for (const name of ['limit', 'cursor', 'sort', 'search', 'include_deleted', 'include_total', 'overdue', 'severity', 'severity[in]', 'cvss_score[gte]', 'due_date[lt]', 'cve_id[exists]']) {
    assert.ok(names.includes(name), name)
  }
})

test('the API headers the service sends are the ones each response documents', async () => {
  const doc = await fetchDocument()
  const sqlite = (await testBackends()).find((b) => b.name === 'sqlite')!
  const t = await startTestApp(sqlite, { app: { rateLimit: { perSecond: 0.001, burst: 6 } } })
  // Headers of HTTP itself and of the security middleware are not the API's to document.
  const generic = /^(content-type|content-length|date|connection|keep-alive|vary|cache-control|access-control-.*|x-content-type-options|x-frame-options|x-dns-prefetch-control|x-download-options|x-permitted-cross-domain-policies|x-xss-protection|referrer-policy|strict-transport-security|cross-origin-.*|origin-agent-cluster|content-security-policy)$/
  const check = (method: string, path: string, res: { statusCode: number, headers: Record<string, unknown> }) => {
    const declared = doc.paths[path][method].responses[String(res.statusCode)]?.headers ?? {}
    const names = new Set(Object.keys(declared).map((h) => h.toLowerCase()))
    for (const header of Object.keys(res.headers)) {
      if (!generic.test(header)) assert.ok(names.has(header), `${method} ${path} ${res.statusCode} sends ${header}, not documented`)
    }
  }
  try {
    const base = '/api/v1/vulnerabilities'
    const created = await t.call('POST', base, { body: { title: 'documented headers' }, headers: { 'idempotency-key': 'k1' } })
    check('post', base, created)
    const replayed = await t.call('POST', base, { body: { title: 'documented headers' }, headers: { 'idempotency-key': 'k1' } })
    assert.equal(replayed.headers['idempotent-replayed'], 'true')
    check('post', base, replayed)
    const id = created.json().id
    check('get', `${base}/{id}`, await t.call('GET', `${base}/${id}`))
    check('get', base, await t.call('GET', base))
    check('get', `${base}/{id}/history`, await t.call('GET', `${base}/${id}/history`))
    check('patch', `${base}/{id}`, await t.call('PATCH', `${base}/${id}`, { body: { title: 'x' }, headers: { 'if-match': 'stale' } }))
    const limited = await t.call('GET', base)
    assert.equal(limited.statusCode, 429)
    assert.ok(limited.headers['retry-after'])
    check('get', base, limited)
  } finally {
    await t.close()
  }
})
