import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { RecordClient } from './support/records.ts'

// The two-sided relations of SPEC §3.3–3.4 through HTTP on every backend: control ↔ control
// mappings (symmetric) and control.mitigated_risk_ids ⇄ risk.linked_control_ids, on create,
// update, delete and restore; refused links change nothing on either side.

const CTL = 'compliance-controls'
const RSK = 'risk-items'

for (const backend of await testBackends()) {
  describe(`control links on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let c: RecordClient
    before(async () => {
      t = await startTestApp(backend)
      c = new RecordClient(t, { tenant: 'links' })
    })
    after(async () => { await t?.close() })

    test('mapped_control_ids is symmetric on create and update, and the other side gets a version and history', async () => {
      const a = await c.create(CTL, { title: 'A' })
      const aBefore = await c.snapshot(CTL, a.id)
      const b = await c.create(CTL, { title: 'B', mapped_control_ids: [a.id] })
      assert.deepEqual(b.mapped_control_ids, [a.id])
      const aAfter = await c.snapshot(CTL, a.id)
      assert.deepEqual(aAfter.record.mapped_control_ids, [b.id])
      assert.notEqual(aAfter.etag, aBefore.etag)
      assert.ok(aAfter.record.updated_at >= b.created_at)
      assert.equal(aAfter.history.length, aBefore.history.length + 1)
      assert.deepEqual(aAfter.history[0]!.changes, { mapped_control_ids: { from: [], to: [b.id] } })
      assert.equal(aAfter.history[0]!.action, 'update')

      const d = await c.create(CTL, { title: 'D' })
      const aWithD = await c.patch(CTL, a.id, { mapped_control_ids: [b.id, d.id] })
      assert.deepEqual(aWithD.mapped_control_ids, [b.id, d.id].sort())
      assert.deepEqual((await c.get(CTL, d.id)).mapped_control_ids, [a.id])
      assert.deepEqual((await c.get(CTL, b.id)).mapped_control_ids, [a.id], 'b unchanged: already linked')

      await c.patch(CTL, b.id, { mapped_control_ids: [] })
      assert.deepEqual((await c.get(CTL, a.id)).mapped_control_ids, [d.id])
      await c.patch(CTL, a.id, { mapped_control_ids: null })
      assert.deepEqual((await c.get(CTL, d.id)).mapped_control_ids, [])
    })

    test('a link write bumps the counterpart\'s ETag; an unchanged counterpart keeps it', async () => {
      const a = await c.create(CTL, {})
      const b = await c.create(CTL, {})
      const x = await c.create(CTL, {})
      const etag = async (id: string) => (await c.call('GET', `${CTL}/${id}`)).headers.etag
      const [aTag, xTag] = [await etag(a.id), await etag(x.id)]
      await c.patch(CTL, b.id, { mapped_control_ids: [a.id] })
      assert.notEqual(await etag(a.id), aTag)
      assert.equal(await etag(x.id), xTag)
    })

    test('unknown, other-tenant, deleted or self ids → 422 and nothing of the write is applied', async () => {
      const a = await c.create(CTL, { title: 'A' })
      const b = await c.create(CTL, { title: 'B' })
      const r = await c.create(RSK, { title: 'R' })
      const foreign = await new RecordClient(t, { tenant: 'links-other' }).create(CTL, {})
      const foreignRisk = await new RecordClient(t, { tenant: 'links-other' }).create(RSK, {})
      const gone = await c.create(CTL, {})
      await c.call('DELETE', `${CTL}/${gone.id}`)
      const all: Array<[string, string]> = [[CTL, a.id], [CTL, b.id], [RSK, r.id], [CTL, gone.id]]
      for (const bad of ['ctl_01HXNOTTHERE000000000000000', foreign.id, gone.id, a.id]) {
        await c.rejects(() => c.call('PATCH', `${CTL}/${a.id}`, { title: 'changed', mapped_control_ids: [b.id, bad] }),
          { status: 422, code: 'unprocessable', field: 'mapped_control_ids' }, all)
      }
      await c.rejects(() => c.call('PATCH', `${CTL}/${a.id}`, { mitigated_risk_ids: [r.id, foreignRisk.id] }), { status: 422, field: 'mitigated_risk_ids' }, all)
      await c.rejects(() => c.call('PATCH', `${CTL}/${a.id}`, { mitigated_risk_ids: [b.id] }), { status: 422, field: 'mitigated_risk_ids' }, all, [])
      await c.rejects(() => c.call('POST', CTL, { mapped_control_ids: [a.id, foreign.id] }), { status: 422 }, all, [CTL])
      await c.rejects(() => c.call('POST', RSK, { linked_control_ids: [a.id, gone.id] }), { status: 422, field: 'linked_control_ids' }, all, [RSK])
      await c.rejects(() => c.call('PATCH', `${RSK}/${r.id}`, { linked_control_ids: [foreign.id] }), { status: 422 }, all)
    })

    test('mitigated_risk_ids and linked_control_ids always agree: create, update from either side', async () => {
      const r1 = await c.create(RSK, { title: 'R1' })
      const r2 = await c.create(RSK, { title: 'R2' })
      const ctl = await c.create(CTL, { title: 'C', mitigated_risk_ids: [r1.id, r2.id] })
      assert.deepEqual(ctl.mitigated_risk_ids, [r1.id, r2.id].sort())
      assert.deepEqual((await c.get(RSK, r1.id)).linked_control_ids, [ctl.id])
      assert.deepEqual((await c.get(RSK, r2.id)).linked_control_ids, [ctl.id])
      const r1History = await c.history(RSK, r1.id)
      assert.deepEqual(r1History[0]!.changes, { linked_control_ids: { from: [], to: [ctl.id] } })

      await c.patch(RSK, r2.id, { linked_control_ids: [] })
      assert.deepEqual((await c.get(CTL, ctl.id)).mitigated_risk_ids, [r1.id])
      const c2 = await c.create(CTL, { title: 'C2' })
      const r3 = await c.create(RSK, { title: 'R3', linked_control_ids: [ctl.id, c2.id] })
      assert.deepEqual((await c.get(CTL, ctl.id)).mitigated_risk_ids, [r1.id, r3.id].sort())
      assert.deepEqual((await c.get(CTL, c2.id)).mitigated_risk_ids, [r3.id])
    })

    test('deleting either end hides the link on both sides; restoring brings it back, with history on both', async () => {
      const r = await c.create(RSK, { title: 'R' })
      const a = await c.create(CTL, { title: 'A', mitigated_risk_ids: [r.id] })
      const b = await c.create(CTL, { title: 'B', mapped_control_ids: [a.id] })

      const deleted = (await c.call('DELETE', `${CTL}/${a.id}`)).json()
      assert.deepEqual(deleted.mapped_control_ids, [])
      assert.deepEqual(deleted.mitigated_risk_ids, [])
      assert.deepEqual((await c.get(RSK, r.id)).linked_control_ids, [])
      assert.deepEqual((await c.get(CTL, b.id)).mapped_control_ids, [])
      const rHistory = await c.history(RSK, r.id)
      assert.deepEqual(rHistory[0]!.changes, { linked_control_ids: { from: [a.id], to: [] } })
      const aHistory = await c.history(CTL, a.id)
      assert.equal(aHistory[0]!.action, 'delete')
      assert.deepEqual(aHistory[0]!.changes.is_deleted, { from: false, to: true })

      const restored = (await c.call('POST', `${CTL}/${a.id}/restore`)).json()
      assert.deepEqual(restored.mapped_control_ids, [b.id])
      assert.deepEqual(restored.mitigated_risk_ids, [r.id])
      assert.deepEqual((await c.get(RSK, r.id)).linked_control_ids, [a.id])
      assert.deepEqual((await c.get(CTL, b.id)).mapped_control_ids, [a.id])
      assert.deepEqual((await c.history(RSK, r.id))[0]!.changes, { linked_control_ids: { from: [], to: [a.id] } })

      // The other direction: deleting the risk hides it from the control.
      await c.call('DELETE', `${RSK}/${r.id}`)
      assert.deepEqual((await c.get(CTL, a.id)).mitigated_risk_ids, [])
      await c.rejects(() => c.call('PATCH', `${CTL}/${b.id}`, { mitigated_risk_ids: [r.id] }), { status: 422 }, [[CTL, b.id], [RSK, r.id]])
      await c.call('POST', `${RSK}/${r.id}/restore`)
      assert.deepEqual((await c.get(CTL, a.id)).mitigated_risk_ids, [r.id])
      // Delete and restore are idempotent: a second delete adds no history anywhere.
      await c.call('DELETE', `${CTL}/${b.id}`)
      const snap = await c.snapshot(CTL, a.id)
      await c.call('DELETE', `${CTL}/${b.id}`)
      assert.deepEqual(await c.snapshot(CTL, a.id), snap)
    })

    test('a link made dormant by a deletion survives edits of the visible list and wakes on restore', async () => {
      const a = await c.create(CTL, { title: 'A' })
      const b = await c.create(CTL, { title: 'B', mapped_control_ids: [a.id] })
      const d = await c.create(CTL, { title: 'D' })
      await c.call('DELETE', `${CTL}/${b.id}`)
      assert.deepEqual((await c.patch(CTL, a.id, { mapped_control_ids: [d.id] })).mapped_control_ids, [d.id])
      await c.call('POST', `${CTL}/${b.id}/restore`)
      assert.deepEqual((await c.get(CTL, a.id)).mapped_control_ids, [b.id, d.id].sort())
      assert.deepEqual((await c.get(CTL, b.id)).mapped_control_ids, [a.id])
    })

    test('a control of one app can be linked by a human session; an app cannot link to what it cannot see', async () => {
      const appCtl = await c.create(CTL, { title: 'app' }, { app: 'app_one' })
      const human = await c.create(CTL, { title: 'human', mapped_control_ids: [appCtl.id] })
      assert.deepEqual((await c.get(CTL, appCtl.id)).mapped_control_ids, [human.id])
      await c.rejects(() => c.call('POST', CTL, { mapped_control_ids: [human.id] }, { app: 'app_two' }), { status: 422 }, [[CTL, human.id]])
    })

    test('concurrent writes linking the same records in opposite orders all succeed', async () => {
      // Fewer writes than PostgreSQL pool connections (10): waiting for a connection is not what is tested.
      const ids = await Promise.all(Array.from({ length: 4 }, async (_, i) => (await c.create(CTL, { title: `n${i}` })).id))
      const writes = []
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < ids.length; i++) {
          const self = ids[i]!
          const others = ids.filter((id) => id !== self)
          writes.push(c.call('PATCH', `${CTL}/${self}`, { mapped_control_ids: round % 2 === 0 ? others : others.slice(0, 2) }))
        }
      }
      const results = await Promise.all(writes)
      assert.deepEqual(results.map((r) => r.statusCode).filter((s) => s !== 200), [], results.find((r) => r.statusCode !== 200)?.body)
      // Whatever order they ran in, both sides agree.
      for (const id of ids) {
        const mine = (await c.get(CTL, id)).mapped_control_ids as string[]
        for (const other of mine) assert.ok(((await c.get(CTL, other)).mapped_control_ids as string[]).includes(id))
      }
    })
  })
}
