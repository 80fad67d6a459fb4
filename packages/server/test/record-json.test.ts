import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// Reads (get, list pages) send record JSON that the database builds (store/record-json.ts); writes
// serialize the record in Node.js. Both must give the same record, field for field — every kind:
// numbers, booleans, JSON arrays and objects, aliases, link lists (sorted, hidden while deleted).

for (const backend of await testBackends()) {
  describe(`database-built record JSON on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    const same = async (path: string, written: Record<string, unknown>) => {
      const got = await t.call('GET', `/api/v1/${path}/${written.id as string}`)
      assert.equal(got.statusCode, 200, got.body)
      assert.match(String(got.headers['content-type']), /^application\/json/)
      assert.deepEqual(got.json(), written)
      const listed = await t.call('GET', `/api/v1/${path}?include_deleted=true&limit=200`)
      assert.equal(listed.statusCode, 200, listed.body)
      assert.deepEqual(listed.json().data.find((r: { id: string }) => r.id === written.id), written)
    }

    test('a vulnerability with a score, a vector and derived fields', async () => {
      const res = await t.call('POST', '/api/v1/vulnerabilities', {
        body: { title: 'Héap "overflow"\n in \\ libxml2 ✓', cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cve_id: 'cve-2024-0001' }
      })
      assert.equal(res.statusCode, 201, res.body)
      await same('vulnerabilities', res.json())
      const whole = await t.call('POST', '/api/v1/vulnerabilities', { body: { cvss_score: 10 } })
      await same('vulnerabilities', whole.json())
    })

    test('controls with aliases, JSON fields, tags and symmetric links; a deleted one shows no links', async () => {
      const a = (await t.call('POST', '/api/v1/compliance-controls', { body: { framework: 'soc2', control_id: 'CC1', effectiveness: 0.25 } })).json()
      const b = (await t.call('POST', '/api/v1/compliance-controls', {
        body: {
          framework: 'iso27001',
          control_ref: 'A.5',
          name: 'Policies',
          owner_id: 'usr_1',
          next_review_date: '2027-01-01T00:00:00Z',
          evidence: [{ kind: 'doc', n: 1.5, nested: { ok: true } }],
          custom_fields: { a: [1, 'x', null] },
          tags: ['b', 'a'],
          mapped_control_ids: [a.id],
          linked_asset_ids: ['ast_2', 'ast_1']
        }
      })).json()
      const risk = (await t.call('POST', '/api/v1/risk-items', { body: { title: 'R', likelihood: 'likely', impact: 'major', linked_control_ids: [b.id, a.id] } }))
      assert.equal(risk.statusCode, 201, risk.body)
      await same('risk-items', risk.json())
      await same('compliance-controls', (await t.call('GET', `/api/v1/compliance-controls/${a.id as string}`)).json())
      const deleted = await t.call('DELETE', `/api/v1/compliance-controls/${b.id as string}`)
      assert.equal(deleted.statusCode, 200, deleted.body)
      assert.deepEqual(deleted.json().mapped_control_ids, [])
      await same('compliance-controls', deleted.json())
      const restored = await t.call('POST', `/api/v1/compliance-controls/${b.id as string}/restore`)
      assert.deepEqual(restored.json().mapped_control_ids, [a.id])
      await same('compliance-controls', restored.json())
    })
  })
}
