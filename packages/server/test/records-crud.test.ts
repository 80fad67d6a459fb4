import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// Create, get, update, delete, restore and the plain list, for every resource, on every backend.

const SEED_EXAMPLE = {
  id: 'rec_01HXEXAMPLE',
  tenant_id: 'example tenant_id',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  app_id: 'example app_id',
  created_by: 'rec_01HXEXAMPLE'
}

const RESOURCES = [
  { path: 'vulnerabilities', prefix: 'vul', sample: { title: 'OpenSSL RCE', cve_id: 'CVE-2024-0001', severity: 'high' } },
  { path: 'compliance-controls', prefix: 'ctl', sample: { framework: 'soc2', control_id: 'CC6.1', title: 'Logical access' } },
  { path: 'risk-items', prefix: 'rsk', sample: { title: 'Single region', category: 'operational', likelihood: 'possible', impact: 'major' } }
]

for (const backend of await testBackends()) {
  describe(`records CRUD on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    for (const r of RESOURCES) {
      const base = `/api/v1/${r.path}`

      test(`${r.path}: the seed's create example succeeds with the server's values`, async () => {
        const res = await t.call('POST', base, { body: SEED_EXAMPLE })
        assert.equal(res.statusCode, 201, res.body)
        const body = res.json()
        assert.match(body.id, new RegExp(`^${r.prefix}_[0-9A-HJKMNP-TV-Z]{26}$`))
        assert.equal(body.tenant_id, 't1')
        assert.equal(body.app_id, null)
        assert.equal(body.created_by, 'alice')
        assert.equal(body.updated_by, 'alice')
        assert.notEqual(body.created_at, '2026-01-01T00:00:00Z')
        assert.match(body.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        assert.equal(body.source, 'edm')
        assert.equal(body.source_type, 'api')
        assert.equal(body.is_deleted, false)
        assert.equal(body.schema_version, 1)
        assert.equal(res.headers.location, `${base}/${body.id}`)
        assert.ok(res.headers.etag)
      })

      test(`${r.path}: an empty body creates a record`, async () => {
        const res = await t.call('POST', base, { body: {} })
        assert.equal(res.statusCode, 201, res.body)
      })

      test(`${r.path}: get, merge-patch, delete, restore`, async () => {
        const created = (await t.call('POST', base, { body: { ...r.sample, source: 'Tenable', source_type: 'backend' } })).json()
        assert.equal(created.source, 'Tenable')
        assert.equal(created.source_type, 'backend')
        const got = await t.call('GET', `${base}/${created.id}`)
        assert.equal(got.statusCode, 200)
        assert.deepEqual(got.json(), created)

        const patched = await t.call('PATCH', `${base}/${created.id}`, {
          body: { title: 'Renamed', description: 'More words' },
          headers: { 'content-type': 'application/merge-patch+json' }
        })
        assert.equal(patched.statusCode, 200, patched.body)
        const p = patched.json()
        assert.equal(p.title, 'Renamed')
        assert.equal(p.description, 'More words')
        assert.notEqual(patched.headers.etag, got.headers.etag)
        assert.ok(p.updated_at >= created.updated_at)

        const cleared = (await t.call('PATCH', `${base}/${created.id}`, { body: { description: null } })).json()
        assert.equal(cleared.description, null)
        assert.equal(cleared.title, 'Renamed', 'absent fields are left alone')

        // A PATCH that changes nothing writes nothing.
        const same = await t.call('PATCH', `${base}/${created.id}`, { body: { title: 'Renamed' } })
        assert.equal(same.json().updated_at, cleared.updated_at)
        assert.equal(same.headers.etag, (await t.call('GET', `${base}/${created.id}`)).headers.etag)

        const deleted = await t.call('DELETE', `${base}/${created.id}`)
        assert.equal(deleted.statusCode, 200)
        assert.equal(deleted.json().is_deleted, true)
        assert.equal(deleted.json().deleted_by, 'alice')
        assert.ok(deleted.json().deleted_at)
        // Idempotent, and still readable.
        assert.equal((await t.call('DELETE', `${base}/${created.id}`)).statusCode, 200)
        assert.equal((await t.call('GET', `${base}/${created.id}`)).json().is_deleted, true)
        // Writes to a deleted record → 409.
        const conflict = await t.call('PATCH', `${base}/${created.id}`, { body: { title: 'x' } })
        assert.equal(conflict.statusCode, 409)
        assert.equal(conflict.json().code, 'conflict')

        const restored = await t.call('POST', `${base}/${created.id}/restore`)
        assert.equal(restored.statusCode, 200)
        assert.equal(restored.json().is_deleted, false)
        assert.equal(restored.json().deleted_at, null)
        assert.equal(restored.json().deleted_by, null)
        assert.equal((await t.call('POST', `${base}/${created.id}/restore`)).statusCode, 200)

        // PATCH is_deleted true/false is delete/restore.
        assert.equal((await t.call('PATCH', `${base}/${created.id}`, { body: { is_deleted: true } })).json().is_deleted, true)
        assert.equal((await t.call('PATCH', `${base}/${created.id}`, { body: { is_deleted: false } })).json().is_deleted, false)
      })

      test(`${r.path}: unknown fields and wrong types → 400 naming the field, nothing written`, async () => {
        const before = (await t.call('GET', `${base}?include_total=true&include_deleted=true`)).json().total
        for (const body of [{ bogus: 1 }, { title: 42 }, { source_type: 'mainframe' }, { title: 'x'.repeat(501) }]) {
          const res = await t.call('POST', base, { body })
          assert.equal(res.statusCode, 400, JSON.stringify(body))
          assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
          const problem = res.json()
          assert.equal(problem.code, 'invalid_request')
          assert.equal(problem.status, 400)
          assert.ok(problem.request_id)
          assert.equal(problem.errors[0].field, Object.keys(body)[0])
        }
        const afterTotal = (await t.call('GET', `${base}?include_total=true&include_deleted=true`)).json().total
        assert.equal(afterTotal, before)
      })

      test(`${r.path}: list is newest first, paginates with an opaque cursor, hides deleted`, async () => {
        const tenant = `list-${r.prefix}`
        const ids: string[] = []
        for (let i = 0; i < 5; i++) ids.push((await t.call('POST', base, { body: { title: `n${i}` }, as: { tenant } })).json().id)
        await t.call('DELETE', `${base}/${ids[2]}`, { as: { tenant } })
        const seen: string[] = []
        let cursor: string | null = null
        do {
          const url: string = `${base}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
          const page = (await t.call('GET', url, { as: { tenant } })).json()
          assert.equal(page.has_more, page.next_cursor !== null)
          seen.push(...page.data.map((x: { id: string }) => x.id))
          cursor = page.next_cursor
        } while (cursor)
        assert.deepEqual(seen, [ids[4], ids[3], ids[1], ids[0]])
        const all = (await t.call('GET', `${base}?include_deleted=true`, { as: { tenant } })).json()
        assert.equal(all.data.length, 5)
      })
    }

    test('records are invisible across tenants (404) and apps', async () => {
      const mine = (await t.call('POST', '/api/v1/vulnerabilities', { body: { title: 'mine' }, as: { tenant: 'iso-a' } })).json()
      for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/restore'], ['POST', '/resolve'], ['GET', '/history']] as const) {
        const res = await t.call(method, `/api/v1/vulnerabilities/${mine.id}${suffix}`, { as: { tenant: 'iso-b' }, ...(method === 'PATCH' ? { body: { title: 'x' } } : {}) })
        assert.equal(res.statusCode, 404, `${method} ${suffix}`)
      }
      const list = (await t.call('GET', '/api/v1/vulnerabilities', { as: { tenant: 'iso-b' } })).json()
      assert.ok(!list.data.some((v: { id: string }) => v.id === mine.id))

      const fromApp = (await t.call('POST', '/api/v1/vulnerabilities', { body: { title: 'scanner' }, as: { tenant: 'iso-a', app: 'app_scanner' } })).json()
      assert.equal(fromApp.app_id, 'app_scanner')
      assert.equal((await t.call('GET', `/api/v1/vulnerabilities/${mine.id}`, { as: { tenant: 'iso-a', app: 'app_scanner' } })).statusCode, 404)
      assert.equal((await t.call('GET', `/api/v1/vulnerabilities/${fromApp.id}`, { as: { tenant: 'iso-a', app: 'app_other' } })).statusCode, 404)
      const human = (await t.call('GET', '/api/v1/vulnerabilities', { as: { tenant: 'iso-a' } })).json()
      assert.deepEqual(human.data.map((v: { id: string }) => v.id).sort(), [mine.id, fromApp.id].sort())
      const app = (await t.call('GET', '/api/v1/vulnerabilities', { as: { tenant: 'iso-a', app: 'app_scanner' } })).json()
      assert.deepEqual(app.data.map((v: { id: string }) => v.id), [fromApp.id])
    })
  })
}
