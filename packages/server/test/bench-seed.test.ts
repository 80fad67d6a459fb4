import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CompiledQuery } from 'kysely'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { seedDatabase, tenantName } from '../../../bench/seeder.ts'
import type { SeedResult } from '../../../bench/seeder.ts'

// The seeding command (npm run seed, bench/seeder.ts) writes around the API, in bulk: what it
// writes must be records the API serves as if it had created them — rules applied, links on both
// sides, history, and the search index in step.

for (const backend of await testBackends()) {
  describe(`seeded data on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let seeded: SeedResult
    before(async () => {
      t = await startTestApp(backend)
      // More rows than one SQLite statement takes, so the loader's chunking runs too; indexes are
      // dropped and rebuilt as for a big load.
      seeded = await seedDatabase(t.database, { records: 2400, tenants: 2, risksPerTenant: 5, batch: 2400, indexesAfter: true })
    })
    after(async () => { await t?.close() })

    const as = { tenant: tenantName(0) }

    test('every tenant sees its own seeded vulnerabilities, with derived fields the rules would give', async () => {
      const page = await t.call('GET', '/api/v1/vulnerabilities?limit=200&include_total=true', { as })
      assert.equal(page.statusCode, 200, page.body)
      assert.equal(page.json().total, 1200)
      for (const v of page.json().data) {
        assert.equal(v.tenant_id, tenantName(0))
        if (v.cvss_vector) assert.equal(typeof v.cvss_score, 'number')
        if (v.status === 'accepted_risk' || v.status === 'false_positive') assert.ok(v.justification)
        if (v.severity !== 'info') assert.ok(v.due_date, `due_date of ${v.id}`)
      }
      const other = await t.call('GET', `/api/v1/vulnerabilities/${seeded.sampleIds[tenantName(1)]![0]!}`, { as })
      assert.equal(other.statusCode, 404)
    })

    test('a seeded record round-trips: a no-op PATCH writes nothing, history holds its create', async () => {
      const id = seeded.sampleIds[tenantName(0)]![3]!
      const before = (await t.call('GET', `/api/v1/vulnerabilities/${id}`, { as })).json()
      const patched = await t.call('PATCH', `/api/v1/vulnerabilities/${id}`, { as, body: { title: before.title } })
      assert.equal(patched.statusCode, 200, patched.body)
      assert.equal(patched.json().updated_at, before.updated_at)
      const history = (await t.call('GET', `/api/v1/vulnerabilities/${id}/history`, { as })).json()
      assert.deepEqual(history.data.map((h: { action: string }) => h.action), ['create'])
    })

    test('the indexes dropped for the load are back', async () => {
      const count = t.database.dialect === 'postgres'
        ? "select count(*) as n from pg_indexes where tablename = 'vulnerabilities'"
        : "select count(*) as n from sqlite_master where type = 'index' and tbl_name = 'vulnerabilities'"
      const fresh = await startTestApp(backend)
      try {
        const expected = Number(((await fresh.database.kysely.executeQuery(CompiledQuery.raw(count))).rows[0] as { n: unknown }).n)
        const got = Number(((await t.database.kysely.executeQuery(CompiledQuery.raw(count))).rows[0] as { n: unknown }).n)
        assert.ok(expected > 1)
        assert.equal(got, expected)
      } finally {
        await fresh.close()
      }
    })

    test('the search index is in step with the bulk load', async () => {
      const one = (await t.call('GET', '/api/v1/vulnerabilities?limit=1', { as })).json().data[0]
      const word = String(one.title).split(' ').at(-1)!
      const found = await t.call('GET', `/api/v1/vulnerabilities?search=${encodeURIComponent(word)}&limit=200`, { as })
      assert.equal(found.statusCode, 200, found.body)
      assert.ok(found.json().data.some((v: { id: string }) => v.id === one.id))
    })

    test('controls map to their base control on both sides; risks link controls both ways', async () => {
      const controls = (await t.call('GET', '/api/v1/compliance-controls?limit=200&mapped_control_ids[exists]=true', { as })).json().data
      const enhancement = controls.find((c: { control_id: string }) => /\(\d+\)$/.test(c.control_id))
      assert.ok(enhancement, 'an enhancement with a mapping')
      const base = (await t.call('GET', `/api/v1/compliance-controls/${enhancement.mapped_control_ids[0] as string}`, { as })).json()
      assert.ok(base.mapped_control_ids.includes(enhancement.id))
      const risk = (await t.call('GET', '/api/v1/risk-items?limit=1', { as })).json().data[0]
      assert.ok(risk.linked_control_ids.length > 0)
      const control = (await t.call('GET', `/api/v1/compliance-controls/${risk.linked_control_ids[0] as string}`, { as })).json()
      assert.ok(control.mitigated_risk_ids.includes(risk.id))
    })
  })
}
