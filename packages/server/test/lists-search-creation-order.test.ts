import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, listPage, walk } from './support/lists.ts'
import { SQLITE_SEARCH_PLAN } from '../src/store/record-list.ts'
import { orderSearchKeysByCreation, SLOT_BITS } from '../src/store/search-order.ts'
import { vulnerability } from '../src/resources/vulnerability.ts'

// Searches in creation order (the default sort): on SQLite, FTS5 reads a word's matches in rowid
// order, which store/search-order.ts makes creation order up to ties within one millisecond. The
// records here are created in bursts that share a millisecond (ids then order them, at random
// relative to insertion), across two tenants, some deleted, some filtered out — and every walk,
// in both directions and at every page size, must be the exact (created_at, id) order. Run on
// both backends: PostgreSQL must give the same pages by its own plans.

const V = '/api/v1/vulnerabilities'

interface Made { id: string, created_at: string, severity: string | null, deleted: boolean, text: string }

for (const backend of await testBackends()) {
  describe(`search in creation order on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let clock = Date.parse('2026-03-01T10:00:00.000Z')
    const made: Made[] = []
    const saved = { ...SQLITE_SEARCH_PLAN }

    before(async () => {
      t = await startTestApp(backend, { now: () => new Date(clock) })
      // Bursts of 1–6 records in one millisecond; a millisecond's records alternate words and
      // severities so that every filter and word cuts through ties.
      let n = 0
      for (const burst of [3, 1, 6, 2, 1, 5, 4, 1, 1, 6, 2, 3]) {
        for (let i = 0; i < burst; i++, n++) {
          const text = n % 4 === 3 ? 'gamma only' : n % 2 === 0 ? 'alpha beta' : 'alpha'
          const body = { title: `record ${n}`, description: text, ...(n % 3 === 0 ? { cvss_score: 8.1 } : {}) }
          const rec = await create(t, 'vulnerabilities', body)
          made.push({ id: rec.id, created_at: rec.created_at, severity: rec.severity, deleted: false, text })
          // The other tenant's records share the milliseconds and the words.
          if (i === 0) await create(t, 'vulnerabilities', { title: 'elsewhere', description: 'alpha beta' }, { tenant: 't2' })
        }
        clock += burst === 1 ? 1 : 7
      }
      for (const gone of [made[2]!, made[9]!, made[20]!]) {
        assert.equal((await t.call('DELETE', `${V}/${gone.id}`)).statusCode, 200)
        gone.deleted = true
      }
    })
    after(async () => {
      Object.assign(SQLITE_SEARCH_PLAN, saved)
      await t?.close()
    })

    const ordered = (keep: (m: Made) => boolean, desc: boolean) => made.filter(keep)
      .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1) * (desc ? -1 : 1))
      .map((m) => m.id)

    const cases: Array<[string, (m: Made) => boolean]> = [
      ['search=alpha', (m) => !m.deleted && m.text.includes('alpha')],
      ['search=beta%20ALPHA', (m) => !m.deleted && m.text.includes('beta')],
      ['search=alpha&severity=high', (m) => !m.deleted && m.text.includes('alpha') && m.severity === 'high'],
      ['search=alpha&include_deleted=true', (m) => m.text.includes('alpha')],
      ['search=gamma', (m) => !m.deleted && m.text.includes('gamma')]
    ]

    // Read enough at once; a first read too short, then one sized by its density; too few, then the other plans.
    for (const [first, most] of [[250, 2000], [2, 2000], [3, 3]] as const) {
      test(`walks at every page size match the exact order (matches read in rowid order: first ${first}, at most ${most})`, async () => {
        Object.assign(SQLITE_SEARCH_PLAN, { creationScanFirst: first, creationScanRows: most })
        for (const [query, keep] of cases) {
          for (const desc of [true, false]) {
            const expected = ordered(keep, desc)
            assert.ok(expected.length > 0, query)
            for (const limit of [1, 2, 3, 5, 50]) {
              const url = `${V}?${query}&limit=${limit}${desc ? '' : '&sort=created_at'}`
              assert.deepEqual((await walk(t, url)).map((r) => r.id), expected, url)
            }
          }
        }
        const page = await listPage(t, `${V}?search=alpha&limit=4&include_total=true`)
        assert.equal(page.total, ordered(cases[0]![1], true).length)
        assert.deepEqual((await walk(t, `${V}?search=alpha&limit=4`, { as: { tenant: 't2' } })).length, 12)
      })
    }

    test('records created during a walk do not disturb it, in their own millisecond or the walk\'s', async () => {
      Object.assign(SQLITE_SEARCH_PLAN, { creationScanFirst: 250, creationScanRows: 2000 })
      const expected = ordered((m) => !m.deleted && m.text.includes('alpha'), true)
      const seen = await walk(t, `${V}?search=alpha&limit=3`, {
        between: async (n) => {
          clock = Date.parse(made[n % 2 === 0 ? 5 : made.length - 1]!.created_at)
          await create(t, 'vulnerabilities', { title: 'late', description: 'alpha' })
        }
      })
      assert.deepEqual(seen.map((r) => r.id), expected)
    })

    if (backend.name === 'sqlite') {
      test('every search rowid is its record\'s creation millisecond, ties in id order after a renumbering', async () => {
        const db = t.database.kysely
        const rows = async () => (await sql<{ hi: string, created_at: string, id: string }>`
          select cast(k.seq >> ${SLOT_BITS} as text) as hi, r.created_at, r.id
          from vulnerabilities_search_keys k join vulnerabilities r on r.id = k.record_id order by k.seq`.execute(db)).rows
        for (const row of await rows()) assert.equal(Number(row.hi), Date.parse(row.created_at), row.id)
        // Migration 004 renumbers existing records; run it again over these.
        const before = await walk(t, `${V}?search=alpha&limit=7`)
        await orderSearchKeysByCreation(db, [vulnerability])
        const after = await rows()
        const byCreation = [...after].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1))
        assert.deepEqual(after.map((r) => r.id), byCreation.map((r) => r.id))
        assert.deepEqual((await walk(t, `${V}?search=alpha&limit=7`)).map((r) => r.id), before.map((r) => r.id))
        // …and new records still find their place.
        clock += 60_000
        const late = await create(t, 'vulnerabilities', { title: 'after renumbering', description: 'alpha' })
        assert.equal((await listPage(t, `${V}?search=alpha&limit=1`)).data[0]!.id, late.id)
      })
    }
  })
}
