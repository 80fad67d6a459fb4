import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { recordFigure } from './support/figures.ts'

// SPEC §6: every record response has an ETag that changes with each write; a stale If-Match on
// PATCH, DELETE, resolve and restore is a 412 that writes nothing; racing writers with one
// If-Match: exactly one wins per version.

const VULNS = '/api/v1/vulnerabilities'
const WRITERS = 16
const ROUNDS = 5

for (const backend of await testBackends()) {
  describe(`ETag and If-Match on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    const create = async () => {
      const res = await t.call('POST', VULNS, { body: { title: 'etag' } })
      assert.equal(res.statusCode, 201, res.body)
      return { id: res.json().id as string, etag: res.headers.etag as string }
    }
    const historyLength = async (id: string) => (await t.call('GET', `${VULNS}/${id}/history`)).json().data.length as number

    test('every write changes the ETag; GET returns the current one', async () => {
      const { id, etag } = await create()
      assert.match(etag, /^"\d+"$/)
      const patched = await t.call('PATCH', `${VULNS}/${id}`, { body: { title: 'changed' }, headers: { 'if-match': etag } })
      assert.equal(patched.statusCode, 200, patched.body)
      assert.notEqual(patched.headers.etag, etag)
      assert.equal((await t.call('GET', `${VULNS}/${id}`)).headers.etag, patched.headers.etag)
    })

    for (const [name, method, suffix, body] of [
      ['PATCH', 'PATCH', '', { title: 'stale write' }],
      ['DELETE', 'DELETE', '', undefined],
      ['resolve', 'POST', '/resolve', { status: 'remediated' }]
    ] as const) {
      test(`${name} with a stale If-Match → 412 and nothing written`, async () => {
        const { id, etag } = await create()
        const fresh = await t.call('PATCH', `${VULNS}/${id}`, { body: { title: 'moved on' } })
        const before = (await t.call('GET', `${VULNS}/${id}`)).body
        const res = await t.call(method, `${VULNS}/${id}${suffix}`, { ...(body ? { body } : {}), headers: { 'if-match': etag } })
        assert.equal(res.statusCode, 412, res.body)
        assert.equal(res.json().code, 'precondition_failed')
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/)
        assert.equal((await t.call('GET', `${VULNS}/${id}`)).body, before)
        assert.equal(await historyLength(id), 2)
        const ok = await t.call(method, `${VULNS}/${id}${suffix}`, { ...(body ? { body } : {}), headers: { 'if-match': fresh.headers.etag as string } })
        assert.equal(ok.statusCode, 200, ok.body)
      })
    }

    test('restore with a stale If-Match → 412 and the record stays deleted', async () => {
      const { id, etag } = await create()
      const deleted = await t.call('DELETE', `${VULNS}/${id}`)
      const res = await t.call('POST', `${VULNS}/${id}/restore`, { headers: { 'if-match': etag } })
      assert.equal(res.statusCode, 412, res.body)
      assert.equal((await t.call('GET', `${VULNS}/${id}`)).json().is_deleted, true)
      const ok = await t.call('POST', `${VULNS}/${id}/restore`, { headers: { 'if-match': deleted.headers.etag as string } })
      assert.equal(ok.statusCode, 200, ok.body)
      assert.equal(ok.json().is_deleted, false)
    })

    test(`${WRITERS} parallel PATCHes with one If-Match: exactly one wins per version (${ROUNDS} rounds)`, async () => {
      let { id, etag } = await create()
      for (let round = 0; round < ROUNDS; round++) {
        const results = await Promise.all(Array.from({ length: WRITERS }, async (_, i) =>
          await t.call('PATCH', `${VULNS}/${id}`, { body: { title: `round ${round} writer ${i}` }, headers: { 'if-match': etag } })))
        const winners = results.filter((r) => r.statusCode === 200)
        const losers = results.filter((r) => r.statusCode === 412)
        assert.equal(winners.length, 1, `round ${round}: ${results.map((r) => r.statusCode).join(',')}`)
        assert.equal(losers.length, WRITERS - 1)
        const current = await t.call('GET', `${VULNS}/${id}`)
        assert.equal(current.json().title, winners[0]!.json().title)
        assert.equal(current.headers.etag, winners[0]!.headers.etag)
        etag = current.headers.etag as string
      }
      // One history entry for the create and one per round: no loser wrote anything.
      assert.equal(await historyLength(id), 1 + ROUNDS)
      id = ''
      recordFigure(`races.${backend.name}`, ROUNDS * WRITERS)
    })
  })
}
