import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { NO_ACCEPT, RecordClient } from './support/records.ts'

// SPEC §3.4 through HTTP on every backend: computed risk_score / risk_level, acceptance, and
// linked_vulnerability_ids naming the tenant's vulnerabilities.

const P = 'risk-items'

for (const backend of await testBackends()) {
  describe(`risk item rules on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let c: RecordClient
    before(async () => {
      t = await startTestApp(backend)
      c = new RecordClient(t, { tenant: 'risk-rules' })
    })
    after(async () => { await t?.close() })

    test('risk_score and risk_level are computed on every write; client values are ignored', async () => {
      const r = await c.create(P, { likelihood: 'possible', impact: 'major', risk_score: 1, risk_level: 'low' })
      assert.equal(r.risk_score, 12)
      assert.equal(r.risk_level, 'high')
      const worse = await c.patch(P, r.id, { likelihood: 'almost_certain', impact: 'catastrophic' })
      assert.equal(worse.risk_score, 25)
      assert.equal(worse.risk_level, 'critical')
      const low = await c.patch(P, r.id, { likelihood: 'rare', risk_score: 25 })
      assert.equal(low.risk_score, 5)
      assert.equal(low.risk_level, 'medium')
      const cleared = await c.patch(P, r.id, { impact: null })
      assert.equal(cleared.risk_score, null)
      assert.equal(cleared.risk_level, null)
      assert.equal((await c.create(P, {})).risk_score, null)
      // Sending only computed fields is a write that changes nothing.
      const before = await c.snapshot(P, r.id)
      await c.patch(P, r.id, { risk_score: 7, risk_level: 'critical' })
      assert.deepEqual(await c.snapshot(P, r.id), before)
    })

    test('the four level bands at their edges', async () => {
      const cases: Array<[string, string, number, string]> = [
        ['almost_certain', 'insignificant', 5, 'medium'], ['unlikely', 'minor', 4, 'low'], ['possible', 'moderate', 9, 'medium'],
        ['unlikely', 'catastrophic', 10, 'high'], ['likely', 'major', 16, 'high'], ['almost_certain', 'major', 20, 'critical'], ['rare', 'insignificant', 1, 'low']
      ]
      for (const [likelihood, impact, score, level] of cases) {
        const r = await c.create(P, { likelihood, impact })
        assert.deepEqual([r.risk_score, r.risk_level], [score, level], `${likelihood} × ${impact}`)
      }
    })

    test('accepted needs a justification (422) and risk:accept (403)', async () => {
      await c.rejects(() => c.call('POST', P, { status: 'accepted' }), { status: 422, field: 'justification' }, [], [P])
      const r = await c.create(P, { title: 'accept me' })
      await c.rejects(() => c.call('PATCH', `${P}/${r.id}`, { status: 'accepted', justification: ' ' }), { status: 422, field: 'justification' }, [[P, r.id]])
      await c.rejects(() => c.call('PATCH', `${P}/${r.id}`, { status: 'accepted', justification: 'board' }, { scope: NO_ACCEPT }), { status: 403, code: 'forbidden' }, [[P, r.id]])
      await c.rejects(() => c.call('POST', P, { status: 'accepted', justification: 'board' }, { scope: NO_ACCEPT }), { status: 403 }, [], [P])
      const accepted = await c.patch(P, r.id, { status: 'accepted', justification: 'board' })
      assert.equal(accepted.status, 'accepted')
      assert.equal((await c.patch(P, r.id, { owner: 'per_1' }, { scope: NO_ACCEPT })).owner, 'per_1')
      await c.rejects(() => c.call('PATCH', `${P}/${r.id}`, { justification: null }), { status: 422 }, [[P, r.id]])
      for (const status of ['identified', 'mitigating', 'transferred', 'closed']) {
        assert.equal((await c.create(P, { status }, { scope: NO_ACCEPT })).status, status)
      }
    })

    test('linked_vulnerability_ids must name this tenant\'s vulnerabilities (422)', async () => {
      const v1 = await c.create('vulnerabilities', { title: 'v1' })
      const v2 = await c.create('vulnerabilities', { title: 'v2' })
      const foreign = await new RecordClient(t, { tenant: 'risk-rules-other' }).create('vulnerabilities', {})
      const r = await c.create(P, { linked_vulnerability_ids: [v1.id] })
      assert.deepEqual(r.linked_vulnerability_ids, [v1.id])
      for (const bad of ['vul_01HXNOTTHERE000000000000000', foreign.id, r.id]) {
        await c.rejects(() => c.call('POST', P, { linked_vulnerability_ids: [v1.id, bad] }), { status: 422, field: 'linked_vulnerability_ids' }, [], [P])
        await c.rejects(() => c.call('PATCH', `${P}/${r.id}`, { title: 'x', linked_vulnerability_ids: [bad] }), { status: 422 }, [[P, r.id], ['vulnerabilities', v1.id]])
      }
      assert.deepEqual((await c.patch(P, r.id, { linked_vulnerability_ids: [v1.id, v2.id] })).linked_vulnerability_ids, [v1.id, v2.id])
      // A vulnerability deleted later stays listed, and keeping it in a later write is no error.
      await c.call('DELETE', `vulnerabilities/${v2.id}`)
      assert.deepEqual((await c.patch(P, r.id, { title: 'kept', linked_vulnerability_ids: [v2.id] })).linked_vulnerability_ids, [v2.id])
      await c.rejects(() => c.call('PATCH', `${P}/${r.id}`, { linked_vulnerability_ids: [v2.id, v1.id, foreign.id] }), { status: 422 }, [[P, r.id]])
    })
  })
}
