import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, listPage, walk } from './support/lists.ts'
import { POSTGRES_SEARCH_PLAN, SQLITE_SEARCH_PLAN } from '../src/store/record-list.ts'

// The store picks a plan for a search by how many records match (store/record-list.ts). SQLite:
// in the default order, the matches in FTS5's rowid order (creation order; more in
// lists-search-creation-order.test.ts); otherwise by ids, or (after a probe of the sort order) the ordered scan checking a lookup set of matches or
// probing FTS5 per row. PostgreSQL: the planner's
// ordered scan, or (a rare word) the GIN index with an order no index serves. The thresholds are
// lowered here so that small data takes each plan; every plan must give the same answers.

const V = '/api/v1/vulnerabilities'

const PLANS = {
  sqlite: [
    ['creation order', { byIdsUpTo: 5000, bySetUpTo: 100_000, probeRows: 2000, creationScanFirst: 2, creationScanRows: 2000 }],
    ['by ids', { byIdsUpTo: 5000, bySetUpTo: 100_000, probeRows: 2000, creationScanFirst: 0, creationScanRows: 0 }],
    ['ordered scan with a lookup set', { byIdsUpTo: 1, bySetUpTo: 100_000, probeRows: 2000, creationScanFirst: 0, creationScanRows: 0 }],
    ['ordered scan with FTS5 probes', { byIdsUpTo: 1, bySetUpTo: 1, probeRows: 2000, creationScanFirst: 0, creationScanRows: 0 }],
    ['by ids after the probe', { byIdsUpTo: 1, bySetUpTo: 100_000, probeRows: 2, creationScanFirst: 0, creationScanRows: 0 }]
  ],
  postgres: [['ordered scan', { probeRows: 2000 }], ['rare word', { probeRows: 2 }]]
} as const

for (const backend of await testBackends()) {
  describe(`search plans agree on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    const expected: string[] = []
    before(async () => {
      t = await startTestApp(backend)
      for (let i = 0; i < 9; i++) {
        const rec = await create(t, 'vulnerabilities', { title: `finding ${i}`, description: i % 3 === 0 ? 'ransomware payload' : 'ransomware' })
        if (i % 3 === 0) expected.push(rec.id)
      }
      await create(t, 'vulnerabilities', { title: 'ransomware payload elsewhere' }, { tenant: 't2' })
    })
    after(async () => { await t?.close() })

    for (const [name, plan] of PLANS[backend.name]) {
      test(`${name}: same matches, same order, same walk`, async () => {
        Object.assign(backend.name === 'sqlite' ? SQLITE_SEARCH_PLAN : POSTGRES_SEARCH_PLAN, plan)
        const page = await listPage(t, `${V}?search=${encodeURIComponent('Ransomware PAYLOAD')}&include_total=true`)
        assert.deepEqual(page.data.map((r) => r.id), [...expected].reverse())
        assert.equal(page.total, 3)
        const walked = await walk(t, `${V}?search=ransomware&limit=2&sort=title`)
        assert.deepEqual(walked.map((r) => r.title), Array.from({ length: 9 }, (_, i) => `finding ${i}`))
        const newestFirst = await walk(t, `${V}?search=ransomware&limit=2`)
        assert.deepEqual(newestFirst.map((r) => r.title), Array.from({ length: 9 }, (_, i) => `finding ${8 - i}`))
        assert.deepEqual((await listPage(t, `${V}?search=nothinglikeit`)).data, [])
      })
    }
  })
}
