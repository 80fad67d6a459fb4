import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { RecordClient } from './support/records.ts'
import type { Json } from './support/records.ts'

// GET /{resource}/{id}/history (SPEC §3) through HTTP on every backend: one entry per create,
// update, resolve, delete and restore, with at / actor / app_id / action / changes, newest
// first, paginated with limit + cursor; none for a write that changes nothing.

const V = 'vulnerabilities'

for (const backend of await testBackends()) {
  describe(`record history on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let c: RecordClient
    before(async () => {
      t = await startTestApp(backend)
      c = new RecordClient(t, { tenant: 'hist' })
    })
    after(async () => { await t?.close() })

    test('every kind of write leaves one entry, newest first, with who, when and what changed', async () => {
      const created = await c.create(V, { title: 'Log4Shell', cve_id: 'cve-2021-44228', severity: 'critical' }, { sub: 'alice' })
      const updated = await c.patch(V, created.id, { title: 'Log4Shell RCE', description: 'JNDI' }, { sub: 'bob' })
      // An app token cannot see a human's record: its resolve is a 404 and leaves no entry.
      assert.equal((await c.call('POST', `${V}/${created.id}/resolve`, {}, { sub: 'carol', app: 'app_scanner' })).statusCode, 404)
      const resolvedOk = (await c.call('POST', `${V}/${created.id}/resolve`, {}, { sub: 'carol' })).json()
      const deleted = (await c.call('DELETE', `${V}/${created.id}`, undefined, { sub: 'dave' })).json()
      const restored = (await c.call('POST', `${V}/${created.id}/restore`, undefined, { sub: 'erin' })).json()

      const history = await c.history(V, created.id)
      assert.deepEqual(history.map((h) => h.action), ['restore', 'delete', 'resolve', 'update', 'create'])
      assert.deepEqual(history.map((h) => h.actor), ['erin', 'dave', 'carol', 'bob', 'alice'])
      assert.deepEqual(history.map((h) => h.at), [restored.updated_at, deleted.updated_at, resolvedOk.updated_at, updated.updated_at, created.created_at])
      for (const h of history) {
        assert.equal(h.app_id, null)
        assert.match(h.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        assert.deepEqual(Object.keys(h).sort(), ['action', 'actor', 'app_id', 'at', 'changes', 'id'])
      }
      const [restoreEntry, deleteEntry, resolveEntry, updateEntry, createEntry] = history as [Json, Json, Json, Json, Json]
      assert.deepEqual(createEntry.changes.title, { from: null, to: 'Log4Shell' })
      assert.deepEqual(createEntry.changes.cve_id, { from: null, to: 'CVE-2021-44228' })
      assert.deepEqual(createEntry.changes.due_date, { from: null, to: created.due_date }, 'computed fields are recorded too')
      assert.equal(createEntry.changes.description, undefined, 'fields left empty are not listed')
      assert.equal(createEntry.changes.tenant_id, undefined, 'bookkeeping is not repeated')
      assert.deepEqual(updateEntry.changes, { title: { from: 'Log4Shell', to: 'Log4Shell RCE' }, description: { from: null, to: 'JNDI' } })
      assert.deepEqual(resolveEntry.changes, { status: { from: 'open', to: 'remediated' }, remediated_at: { from: null, to: resolvedOk.remediated_at } })
      assert.deepEqual(deleteEntry.changes, { is_deleted: { from: false, to: true }, deleted_at: { from: null, to: deleted.deleted_at }, deleted_by: { from: null, to: 'dave' } })
      assert.deepEqual(restoreEntry.changes, { is_deleted: { from: true, to: false }, deleted_at: { from: deleted.deleted_at, to: null }, deleted_by: { from: 'dave', to: null } })
    })

    test('an app token\'s writes carry its app_id', async () => {
      const v = await c.create(V, { title: 'scanner finding' }, { app: 'app_scanner', sub: 'svc' })
      await c.call('PATCH', `${V}/${v.id}`, { severity: 'low' }, { app: 'app_scanner', sub: 'svc' })
      const history = (await c.call('GET', `${V}/${v.id}/history`, undefined, { app: 'app_scanner' })).json().data
      assert.deepEqual(history.map((h: Json) => [h.action, h.actor, h.app_id]), [['update', 'svc', 'app_scanner'], ['create', 'svc', 'app_scanner']])
      assert.equal((await c.call('GET', `${V}/${v.id}/history`, undefined, { app: 'app_other' })).statusCode, 404)
    })

    test('a write that changes nothing adds no entry and keeps updated_at and the ETag', async () => {
      const v = await c.create(V, { title: 'same', severity: 'high' })
      const before = await c.snapshot(V, v.id)
      for (const body of [{}, { title: 'same' }, { severity: 'high' }, { cve_id: null }, { id: 'vul_x', updated_at: '2020-01-01T00:00:00Z' }]) {
        const res = await c.call('PATCH', `${V}/${v.id}`, body)
        assert.equal(res.statusCode, 200, res.body)
        assert.equal(res.json().updated_at, v.updated_at)
      }
      await c.call('DELETE', `${V}/${v.id}`)
      const deleted = await c.snapshot(V, v.id)
      await c.call('DELETE', `${V}/${v.id}`)
      await c.call('PATCH', `${V}/${v.id}`, { is_deleted: true })
      assert.deepEqual(await c.snapshot(V, v.id), deleted, 'a second delete is a no-op')
      await c.call('POST', `${V}/${v.id}/restore`)
      await c.call('POST', `${V}/${v.id}/restore`)
      const after = await c.snapshot(V, v.id)
      assert.equal(after.history.length, before.history.length + 2)
    })

    test('a restore and an update in one PATCH share one transaction: a refused update undoes the restore', async () => {
      const v = await c.create(V, { title: 'deleted' })
      await c.call('DELETE', `${V}/${v.id}`)
      await c.rejects(() => c.call('PATCH', `${V}/${v.id}`, { is_deleted: false, status: 'false_positive' }), { status: 422, field: 'justification' }, [[V, v.id]])
      assert.equal((await c.get(V, v.id)).is_deleted, true)
      const ctl = await c.create('compliance-controls', { title: 'deleted' })
      await c.call('DELETE', `compliance-controls/${ctl.id}`)
      await c.rejects(() => c.call('PATCH', `compliance-controls/${ctl.id}`, { is_deleted: false, mapped_control_ids: ['ctl_01HXNOTTHERE000000000000000'] }),
        { status: 422 }, [['compliance-controls', ctl.id]])
    })

    test('paginated with limit and an opaque cursor: every entry once, newest first', async () => {
      const v = await c.create(V, { title: 't0' })
      for (let i = 1; i <= 6; i++) await c.patch(V, v.id, { title: `t${i}` })
      const all = await c.history(V, v.id)
      assert.equal(all.length, 7)
      const seen: Json[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const res: Json = (await c.call('GET', `${V}/${v.id}/history?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()
        assert.ok(res.data.length <= 3)
        assert.equal(res.has_more, res.next_cursor !== null)
        seen.push(...res.data)
        cursor = res.next_cursor
        pages++
      } while (cursor)
      assert.equal(pages, 3)
      assert.deepEqual(seen, all)
      assert.deepEqual(seen.map((h) => h.changes.title?.to), ['t6', 't5', 't4', 't3', 't2', 't1', 't0'])
      // Bad parameters, and a cursor of another record's history → 400.
      const other = await c.create(V, {})
      const first = (await c.call('GET', `${V}/${v.id}/history?limit=3`)).json()
      assert.equal((await c.call('GET', `${V}/${other.id}/history?cursor=${encodeURIComponent(first.next_cursor)}`)).statusCode, 400)
      assert.equal((await c.call('GET', `${V}/${v.id}/history?limit=0`)).statusCode, 400)
      assert.equal((await c.call('GET', `${V}/${v.id}/history?limit=201`)).statusCode, 400)
      assert.equal((await c.call('GET', `${V}/${v.id}/history?sort=at`)).statusCode, 400)
      assert.equal((await c.call('GET', `${V}/${v.id}/history?cursor=garbage`)).statusCode, 400)
    })

    test('history needs risk:read, is 404 for other tenants and unknown ids, and works for deleted records', async () => {
      const v = await c.create(V, {})
      assert.equal((await c.call('GET', `${V}/${v.id}/history`, undefined, { scope: 'risk:write' })).statusCode, 403)
      assert.equal((await c.call('GET', `${V}/${v.id}/history`, undefined, { tenant: 'hist-other' })).statusCode, 404)
      assert.equal((await c.call('GET', `${V}/vul_01HXNOTTHERE000000000000000/history`)).statusCode, 404)
      await c.call('DELETE', `${V}/${v.id}`)
      assert.equal((await c.call('GET', `${V}/${v.id}/history`)).json().data[0].action, 'delete')
    })

    test('every resource has a history', async () => {
      for (const path of ['compliance-controls', 'risk-items']) {
        const r = await c.create(path, { title: 'x' })
        await c.patch(path, r.id, { title: 'y' })
        assert.deepEqual((await c.history(path, r.id)).map((h) => h.action), ['update', 'create'])
      }
    })
  })
}
