import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, expectBadParam, listPage } from './support/lists.ts'

// Cursors are opaque, tamper-evident and bound to their query and caller (SPEC §4, AIP-158):
// anything else is a 400 naming `cursor` — never a 500, never another query's or tenant's rows.

const V = '/api/v1/vulnerabilities'

function reseal (cursor: string, change: (payload: any) => void): string {
  const [body, mac] = cursor.split('.')
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'))
  change(payload)
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`
}

for (const backend of await testBackends()) {
  describe(`list cursors on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let clock = Date.parse('2026-03-01T00:00:00Z')
    let cursor: string
    before(async () => {
      t = await startTestApp(backend, { now: () => new Date(clock) })
      for (const severity of ['high', 'high', 'high', 'low', 'low']) {
        clock += 1000
        await create(t, 'vulnerabilities', { title: `v ${severity}`, severity })
        await create(t, 'vulnerabilities', { title: 'other tenant', severity }, { tenant: 't2' })
      }
      cursor = (await listPage(t, `${V}?severity=high&limit=1`)).next_cursor!
      assert.ok(cursor)
    })
    after(async () => { await t?.close() })

    const next = (query: string, c: string) => `${V}?${query}${query ? '&' : ''}cursor=${encodeURIComponent(c)}`

    test('the cursor continues the walk; limit and include_total may change between pages', async () => {
      const page = await listPage(t, next('severity=high&limit=5&include_total=true', cursor))
      assert.equal(page.data.length, 2)
      assert.equal(page.total, 3)
      assert.ok(page.data.every((r) => r.severity === 'high' && r.tenant_id === 't1'))
    })

    test('forged, truncated and modified cursors are 400s', async () => {
      for (const bad of ['x', 'abc.def', `${cursor}.x`, cursor.slice(0, -2), `${cursor.split('.')[0]}.${'A'.repeat(43)}`, `.${cursor.split('.')[1]}`, '%%%', 'a'.repeat(8_000)]) {
        await expectBadParam(t, next('severity=high', bad), 'cursor')
      }
      await expectBadParam(t, `${V}?severity=high&cursor=`, 'cursor')
      await expectBadParam(t, `${V}?severity=high&cursor=a&cursor=b`, 'cursor')
      // A payload changed without the key: other position, other snapshot, other query, other shape.
      await expectBadParam(t, next('severity=high', reseal(cursor, (p) => { p.after = [null, 'vul_0'] })), 'cursor')
      await expectBadParam(t, next('severity=high', reseal(cursor, (p) => { p.state.snapshot = '0' })), 'cursor')
      await expectBadParam(t, next('severity=high', reseal(cursor, (p) => { p.query = 'x' })), 'cursor')
      await expectBadParam(t, next('severity=high', reseal(cursor, (p) => { p.after = 'x' })), 'cursor')
    })

    test('a cursor is bound to its query: other filters, sort, search, flags or resource → 400', async () => {
      for (const query of ['severity=low', '', 'severity=high&sort=title', 'severity=high&search=v', 'severity=high&include_deleted=true', 'severity=high&overdue=true', 'severity=high&status=open']) {
        await expectBadParam(t, next(query, cursor), 'cursor')
      }
      const res = await t.call('GET', `/api/v1/risk-items?cursor=${encodeURIComponent(cursor)}`)
      assert.equal(res.statusCode, 400)
    })

    test("a cursor is bound to its caller's tenant and app", async () => {
      await expectBadParam(t, next('severity=high', cursor), 'cursor', { tenant: 't2' })
      await expectBadParam(t, next('severity=high', cursor), 'cursor', { tenant: 't1', app: 'app_1' })
      // Another person of the same tenant and app may continue it (same records visible).
      const page = await listPage(t, next('severity=high', cursor), { tenant: 't1', sub: 'bob' })
      assert.equal(page.data.length, 2)
    })

    test('a cursor expires after 24 hours', async () => {
      const fresh = (await listPage(t, `${V}?limit=1`)).next_cursor!
      clock += 23 * 3600 * 1000
      assert.equal((await listPage(t, next('limit=1', fresh))).data.length, 1)
      clock += 2 * 3600 * 1000
      await expectBadParam(t, next('', fresh), 'cursor')
    })
  })
}
