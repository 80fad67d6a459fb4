import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { RecordClient } from './support/records.ts'

// SPEC §3.3 through HTTP on every backend: aliases, not_applicable, (framework, control_id)
// uniqueness among live controls, value and size limits. Links are in control-links.test.ts.

const P = 'compliance-controls'

const ALIASES: Array<[string, string, string, string]> = [
  ['control_id', 'control_ref', 'CC6.1', 'CC6.9'],
  ['title', 'name', 'Logical access', 'Something else'],
  ['owner', 'owner_id', 'per_alice', 'per_bob'],
  ['next_review_at', 'next_review_date', '2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']
]

for (const backend of await testBackends()) {
  describe(`compliance control rules on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let c: RecordClient
    before(async () => {
      t = await startTestApp(backend)
      c = new RecordClient(t, { tenant: 'ctl-rules' })
    })
    after(async () => { await t?.close() })

    for (const [canonical, alias, value, other] of ALIASES) {
      test(`${canonical} / ${alias}: either name sets both, reads show both, a mismatch → 422`, async () => {
        const viaAlias = await c.create(P, { [alias]: value })
        assert.equal(viaAlias[canonical], value)
        assert.equal(viaAlias[alias], value)
        const viaCanonical = await c.create(P, { [canonical]: value })
        assert.equal(viaCanonical[alias], value)
        assert.deepEqual(await c.get(P, viaCanonical.id), viaCanonical)
        const both = await c.create(P, { [canonical]: value, [alias]: value })
        assert.equal(both[alias], value)

        await c.rejects(() => c.call('POST', P, { [canonical]: value, [alias]: other }), { status: 422, code: 'unprocessable', field: alias }, [], [P])
        await c.rejects(() => c.call('PATCH', `${P}/${viaAlias.id}`, { [canonical]: other, [alias]: value }), { status: 422 }, [[P, viaAlias.id]])
        await c.rejects(() => c.call('PATCH', `${P}/${viaAlias.id}`, { [canonical]: null, [alias]: other }), { status: 422 }, [[P, viaAlias.id]])

        const patched = await c.patch(P, viaAlias.id, { [alias]: other })
        assert.equal(patched[canonical], other)
        assert.equal(patched[alias], other)
        const history = await c.history(P, viaAlias.id)
        assert.deepEqual(history[0]!.changes, { [canonical]: { from: value, to: other } }, 'history speaks the canonical name')
        const cleared = await c.patch(P, viaAlias.id, { [alias]: null })
        assert.equal(cleared[canonical], null)
        assert.equal(cleared[alias], null)
      })
    }

    test('not_applicable needs a justification (422)', async () => {
      await c.rejects(() => c.call('POST', P, { status: 'not_applicable' }), { status: 422, field: 'justification' }, [], [P])
      const ctl = await c.create(P, { status: 'implemented' })
      await c.rejects(() => c.call('PATCH', `${P}/${ctl.id}`, { status: 'not_applicable', justification: '' }), { status: 422, field: 'justification' }, [[P, ctl.id]])
      const na = await c.patch(P, ctl.id, { status: 'not_applicable', justification: 'no card data in scope' })
      assert.equal(na.status, 'not_applicable')
      await c.rejects(() => c.call('PATCH', `${P}/${ctl.id}`, { justification: null }), { status: 422, field: 'justification' }, [[P, ctl.id]])
    })

    test('(framework, control_id) is unique among live controls (409), free again after delete', async () => {
      const u = new RecordClient(t, { tenant: 'ctl-unique' })
      const first = await u.create(P, { framework: 'soc2', control_id: 'CC1.1' })
      await u.rejects(() => u.call('POST', P, { framework: 'soc2', control_id: 'CC1.1' }), { status: 409, code: 'conflict' }, [[P, first.id]], [P])
      await u.rejects(() => u.call('POST', P, { framework: 'soc2', control_ref: 'CC1.1' }), { status: 409, code: 'conflict' }, [[P, first.id]], [P])
      // Other frameworks, other control ids, other tenants and controls without both are fine.
      await u.create(P, { framework: 'iso27001', control_id: 'CC1.1' })
      const second = await u.create(P, { framework: 'soc2', control_id: 'CC1.2' })
      await new RecordClient(t, { tenant: 'ctl-unique-other' }).create(P, { framework: 'soc2', control_id: 'CC1.1' })
      await u.create(P, { control_id: 'CC1.1' })
      await u.create(P, { control_id: 'CC1.1' })
      // An update into a taken pair → 409.
      await u.rejects(() => u.call('PATCH', `${P}/${second.id}`, { control_id: 'CC1.1' }), { status: 409 }, [[P, second.id], [P, first.id]])
      await u.rejects(() => u.call('PATCH', `${P}/${second.id}`, { control_ref: 'CC1.1' }), { status: 409 }, [[P, second.id]])
      // Deleting the holder frees the pair; restoring it while taken → 409.
      assert.equal((await u.call('DELETE', `${P}/${first.id}`)).statusCode, 200)
      const taker = await u.create(P, { framework: 'soc2', control_id: 'CC1.1' })
      await u.rejects(() => u.call('POST', `${P}/${first.id}/restore`), { status: 409, code: 'conflict' }, [[P, first.id], [P, taker.id]])
      await u.rejects(() => u.call('PATCH', `${P}/${first.id}`, { is_deleted: false }), { status: 409 }, [[P, first.id]])
      // Once the taker moves on, the restore works.
      await u.patch(P, taker.id, { control_id: 'CC1.3' })
      assert.equal((await u.call('POST', `${P}/${first.id}/restore`)).statusCode, 200)
    })

    test('concurrent creates of one (framework, control_id): one wins, the others get the same 409', async () => {
      const u = new RecordClient(t, { tenant: 'ctl-race' })
      const results = await Promise.all(Array.from({ length: 8 }, async () => await u.call('POST', P, { framework: 'pci_dss', control_id: 'Req 8.3' })))
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409])
      for (const r of results.filter((x) => x.statusCode === 409)) {
        assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field), ['framework', 'control_id'])
      }
      assert.equal((await u.ids(P)).length, 1)
    })

    test('effectiveness is a number from 0 to 1', async () => {
      assert.equal((await c.create(P, { effectiveness: 0 })).effectiveness, 0)
      assert.equal((await c.create(P, { effectiveness: 1 })).effectiveness, 1)
      assert.equal((await c.create(P, { effectiveness: 0.75 })).effectiveness, 0.75)
      for (const effectiveness of [-0.01, 1.01, '0.5']) {
        await c.rejects(() => c.call('POST', P, { effectiveness }), { status: 400, field: 'effectiveness' }, [], [P])
      }
    })

    test('evidence ≤ 64 KiB, custom_fields ≤ 16 KiB, tags ≤ 50 of ≤ 64 characters; refused writes change nothing', async () => {
      const ctl = await c.create(P, { title: 'limits' })
      const evidence = (bytes: number) => [{ note: 'e'.repeat(bytes - JSON.stringify([{ note: '' }]).length) }]
      const fields = (bytes: number) => ({ k: 'f'.repeat(bytes - JSON.stringify({ k: '' }).length) })
      assert.equal(JSON.stringify((await c.patch(P, ctl.id, { evidence: evidence(64 * 1024) })).evidence).length, 64 * 1024)
      assert.equal(JSON.stringify((await c.patch(P, ctl.id, { custom_fields: fields(16 * 1024) })).custom_fields).length, 16 * 1024)
      const tags = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(64, 't'))
      assert.deepEqual((await c.patch(P, ctl.id, { tags })).tags, tags)

      const refused: Array<[string, unknown]> = [
        ['evidence', evidence(64 * 1024 + 1)],
        ['evidence', ['not an object']],
        ['custom_fields', fields(16 * 1024 + 1)],
        ['custom_fields', ['not', 'an', 'object']],
        ['tags', [...tags, 'one-too-many']],
        ['tags', ['x'.repeat(65)]]
      ]
      for (const [field, value] of refused) {
        await c.rejects(() => c.call('PATCH', `${P}/${ctl.id}`, { [field]: value }), { status: 400, code: 'invalid_request' }, [[P, ctl.id]])
        await c.rejects(() => c.call('POST', P, { [field]: value }), { status: 400 }, [], [P])
      }
    })

    test('id arrays hold unique entries, at most 1,000', async () => {
      await c.rejects(() => c.call('POST', P, { linked_asset_ids: ['a', 'a'] }), { status: 400, field: 'linked_asset_ids' }, [], [P])
      const many = Array.from({ length: 1001 }, (_, i) => `ast_${i}`)
      await c.rejects(() => c.call('POST', P, { evidence_ids: many }), { status: 400, field: 'evidence_ids' }, [], [P])
      assert.equal((await c.create(P, { related_document_ids: many.slice(0, 1000) })).related_document_ids.length, 1000)
    })

    test('re-sending the same JSON object with its keys in another order is a no-op', async () => {
      const ctl = await c.create(P, { custom_fields: { b: 1, a: { y: 2, x: 3 } } })
      const before = await c.snapshot(P, ctl.id)
      await c.patch(P, ctl.id, { custom_fields: { a: { x: 3, y: 2 }, b: 1 } })
      const after = await c.snapshot(P, ctl.id)
      assert.equal(after.etag, before.etag)
      assert.equal(after.history.length, before.history.length)
    })
  })
}
