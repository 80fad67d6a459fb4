import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, patch } from './support/lists.ts'
import { RESOURCES, columnFields } from '../src/resources/index.ts'
import { decodeRow } from '../src/store/record-store.ts'

// The walk guarantee reads replaced versions from `{table}_versions` (docs/LISTS.md). A migration
// that adds a column to a record table must add it there and to the copying trigger too: this
// fails until it does, rather than lists failing at run time.

const SAMPLES: Record<string, Record<string, unknown>> = {
  vulnerabilities: { title: 'v', cve_id: 'CVE-2024-0001', cvss_score: 7.5, assigned_to: 'per_1' },
  'compliance-controls': { framework: 'soc2', control_id: 'CC1.1', tags: ['a'], effectiveness: 0.5, evidence: [{ a: 1 }], custom_fields: { k: 'v' } },
  'risk-items': { title: 'r', likelihood: 'likely', impact: 'major', mitigation_plan: 'plan' }
}

for (const backend of await testBackends()) {
  describe(`kept versions on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    for (const resource of RESOURCES) {
      test(`${resource.table}: an update keeps every column of the version it replaces`, async () => {
        const before = await create(t, resource.path, SAMPLES[resource.path]!)
        await patch(t, resource.path, before.id, { description: 'changed' })
        const rows = await t.database.kysely.selectFrom(`${resource.table}_versions`).selectAll().where('id', '=', before.id).execute()
        assert.equal(rows.length, 1)
        const kept = decodeRow(resource, rows[0] as Record<string, unknown>)
        for (const field of columnFields(resource)) assert.deepEqual(kept.data[field.name], before[field.name] ?? null, field.name)
        assert.equal(kept.version, 1)
      })
    }
  })
}
