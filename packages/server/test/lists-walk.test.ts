import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp, TokenOptions } from './support/app.ts'
import { create, listIds, patch, walk } from './support/lists.ts'

// SPEC §4: "a cursor walk returns every record that existed when it began exactly once" — with
// inserts, updates of the sort field (and of filtered and searched fields) and deletes happening
// between pages. A walk reads the records as they were when it began (docs/LISTS.md).

const V = 'vulnerabilities'
const URL_V = `/api/v1/${V}`

let tenantNo = 0
function freshTenant (): TokenOptions {
  return { tenant: `walk_${++tenantNo}` }
}

function assertExactlyOnce (walked: Array<Record<string, any>>, expected: string[]): void {
  const ids = walked.map((r) => r.id)
  assert.equal(new Set(ids).size, ids.length, `a record came twice: ${ids.join(' ')}`)
  assert.deepEqual([...ids].sort(), [...expected].sort())
}

for (const backend of await testBackends()) {
  describe(`list walks under writes on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    async function seed (as: TokenOptions, bodies: Array<Record<string, unknown>>): Promise<Array<Record<string, any>>> {
      const out = []
      for (const body of bodies) out.push(await create(t, V, body, as))
      return out
    }

    for (const sort of ['-created_at', 'created_at', 'title', '-cvss_score']) {
      test(`inserts during a walk (sort=${sort}): every original record once, none twice`, async () => {
        const as = freshTenant()
        const initial = await seed(as, ['d', 'b', 'f', 'a', 'e', 'c'].map((title, i) => ({ title, cvss_score: i + 1 })))
        const walked = await walk(t, `${URL_V}?sort=${sort}&limit=2`, {
          as,
          between: async () => {
            // One before the cursor, one after, one at each end of every order.
            await seed(as, [{ title: 'A', cvss_score: 0 }, { title: 'cc', cvss_score: 3.5 }, { title: 'z', cvss_score: 10 }])
          }
        })
        assertExactlyOnce(walked, initial.map((r) => r.id))
        assert.equal((await listIds(t, `${URL_V}?limit=200`, as)).length, 12)
      })
    }

    test('updates of the sort field during a walk: no record skipped, none repeated', async () => {
      const as = freshTenant()
      const initial = await seed(as, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ title: `r${n}`, cvss_score: n })))
      const byScore = (n: number) => initial.find((r) => r.cvss_score === n)!
      const walked = await walk(t, `${URL_V}?sort=cvss_score&limit=2`, {
        as,
        between: async (page) => {
          if (page !== 0) return
          // Unseen → before the cursor (plain keyset would skip it); seen → after it (plain keyset
          // would repeat it); one moved twice; one moved and back again.
          await patch(t, V, byScore(8).id, { cvss_score: 0.5 }, as)
          await patch(t, V, byScore(1).id, { cvss_score: 9.5 }, as)
          await patch(t, V, byScore(6).id, { cvss_score: 0.1 }, as)
          await patch(t, V, byScore(6).id, { cvss_score: 9.9 }, as)
          await patch(t, V, byScore(4).id, { cvss_score: 1.5 }, as)
          await patch(t, V, byScore(4).id, { cvss_score: 4 }, as)
        }
      })
      assertExactlyOnce(walked, initial.map((r) => r.id))
      // The walk shows the records as they were when it began, in that order.
      assert.deepEqual(walked.map((r) => r.cvss_score), [1, 2, 3, 4, 5, 6, 7, 8])
      // A new walk sees the new order.
      const fresh = await walk(t, `${URL_V}?sort=cvss_score&limit=3`, { as })
      assert.deepEqual(fresh.map((r) => r.cvss_score), [0.5, 2, 3, 4, 5, 7, 9.5, 9.9])
    })

    test('updates of the sort field during a descending, multi-field walk', async () => {
      const as = freshTenant()
      const initial = await seed(as, ['critical', 'high', 'high', 'medium', 'low', 'low', 'info'].map((severity, i) => ({ title: `t${i}`, severity })))
      const walked = await walk(t, `${URL_V}?sort=-severity,title&limit=2`, {
        as,
        between: async (page) => {
          if (page === 0) await patch(t, V, initial[6]!.id, { severity: 'critical', title: 'a' }, as)
          if (page === 1) await patch(t, V, initial[0]!.id, { severity: 'info', title: 'z' }, as)
        }
      })
      assertExactlyOnce(walked, initial.map((r) => r.id))
      assert.deepEqual(walked.map((r) => r.title), ['t0', 't1', 't2', 't3', 't4', 't5', 't6'])
    })

    test('deletes during a walk: records deleted after it began still come, once', async () => {
      const as = freshTenant()
      const initial = await seed(as, ['a', 'b', 'c', 'd', 'e', 'f'].map((title) => ({ title })))
      const walked = await walk(t, `${URL_V}?sort=title&limit=2`, {
        as,
        between: async (page) => {
          if (page !== 0) return
          assert.equal((await t.call('DELETE', `${URL_V}/${initial[4]!.id}`, { as })).statusCode, 200) // unseen
          assert.equal((await t.call('DELETE', `${URL_V}/${initial[0]!.id}`, { as })).statusCode, 200) // seen
          assert.equal((await t.call('DELETE', `${URL_V}/${initial[5]!.id}`, { as })).statusCode, 200)
          assert.equal((await t.call('POST', `${URL_V}/${initial[5]!.id}/restore`, { as })).statusCode, 200)
        }
      })
      assertExactlyOnce(walked, initial.map((r) => r.id))
      assert.equal(walked.find((r) => r.id === initial[4]!.id)!.is_deleted, false)
      assert.deepEqual((await walk(t, `${URL_V}?sort=title&limit=2`, { as })).map((r) => r.title), ['b', 'c', 'd', 'f'])
    })

    test('filtered walk: records that matched when it began come once even if they stop matching', async () => {
      const as = freshTenant()
      const initial = await seed(as, ['a', 'b', 'c', 'd', 'e'].map((title) => ({ title, severity: 'high' })))
      await seed(as, [{ title: 'x', severity: 'low' }])
      const walked = await walk(t, `${URL_V}?severity=high&sort=title&limit=2`, {
        as,
        between: async (page) => {
          if (page !== 0) return
          await patch(t, V, initial[3]!.id, { severity: 'low' }, as)
          await seed(as, [{ title: 'bb', severity: 'high' }])
        }
      })
      assertExactlyOnce(walked, initial.map((r) => r.id))
    })

    test('search walk: a record whose text changes mid-walk comes once, with the text it had', async () => {
      const as = freshTenant()
      const initial = await seed(as, ['a', 'b', 'c', 'd', 'e'].map((title) => ({ title: `${title} sentinel`, description: 'kerberoasting' })))
      const walked = await walk(t, `${URL_V}?search=kerberoasting&sort=title&limit=2`, {
        as,
        between: async (page) => {
          if (page === 0) await patch(t, V, initial[4]!.id, { description: 'something else' }, as)
        }
      })
      assertExactlyOnce(walked, initial.map((r) => r.id))
      assert.equal(walked.at(-1)!.description, 'kerberoasting')
      assert.equal((await listIds(t, `${URL_V}?search=kerberoasting`, as)).length, 4)
    })

    test('include_total counts the walk\'s snapshot on every page', async () => {
      const as = freshTenant()
      await seed(as, [{ title: 'a' }, { title: 'b' }, { title: 'c' }])
      const first = await t.call('GET', `${URL_V}?limit=1&include_total=true`, { as })
      assert.equal(first.json().total, 3)
      await seed(as, [{ title: 'd' }])
      const second = await t.call('GET', `${URL_V}?limit=1&include_total=true&cursor=${encodeURIComponent(first.json().next_cursor)}`, { as })
      assert.equal(second.json().total, 3)
    })
  })
}
