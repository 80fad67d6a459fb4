import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, walk } from './support/lists.ts'
import { SQLITE_DUE_DATE_PLAN } from '../src/store/record-list.ts'

// `overdue=true` and due-date ranges under another sort: SQLite either checks the range along the
// order or reads it through the due-date index and sorts (store/record-list.ts#sqliteDueDates);
// the thresholds are set here so that small data takes each plan, and every plan must walk the
// same records in the same order as the rule says. PostgreSQL's planner chooses by itself; it runs
// the same walks.

const V = '/api/v1/vulnerabilities'
const NOW = Date.parse('2026-06-15T12:00:00.000Z')
const day = 86_400_000

interface Made { id: string, created_at: string, due_date: string | null, status: string, cvss: number }

for (const backend of await testBackends()) {
  describe(`due-date plans agree on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let clock = NOW - 40 * day
    const made: Made[] = []
    const saved = { ...SQLITE_DUE_DATE_PLAN }

    before(async () => {
      t = await startTestApp(backend, { now: () => new Date(clock) })
      // Due dates before and after NOW, some records closed, some without a due date; created a
      // few minutes apart in an order unrelated to their due dates.
      for (let i = 0; i < 30; i++) {
        clock += 60_000 * (1 + (i * 7) % 5)
        const due = i % 6 === 5 ? null : new Date(NOW + ((i * 13) % 21 - 10) * day).toISOString()
        const status = i % 4 === 3 ? 'remediated' : i % 4 === 2 ? 'in_progress' : 'open'
        const rec = await create(t, 'vulnerabilities', {
          title: `due ${i}`,
          cvss_score: (i * 3) % 10,
          status,
          ...(due ? { due_date: due } : { severity: 'info' })
        })
        made.push({ id: rec.id, created_at: rec.created_at, due_date: rec.due_date, status: rec.status, cvss: rec.cvss_score })
      }
      clock = NOW
    })
    after(async () => {
      Object.assign(SQLITE_DUE_DATE_PLAN, saved)
      await t?.close()
    })

    const newestFirst = (a: Made, b: Made) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1)
    const byCvssDesc = (a: Made, b: Made) => (a.cvss !== b.cvss ? b.cvss - a.cvss : a.id < b.id ? 1 : -1)
    const byDue = (desc: boolean) => (a: Made, b: Made) => (a.due_date! !== b.due_date! ? (a.due_date! < b.due_date! ? -1 : 1) : a.id < b.id ? -1 : 1) * (desc ? -1 : 1)
    const nowIso = new Date(NOW).toISOString()
    const cases: Array<[string, (m: Made) => boolean, (a: Made, b: Made) => number]> = [
      ['overdue=true', (m) => ['open', 'in_progress'].includes(m.status) && m.due_date !== null && m.due_date < nowIso, newestFirst],
      ['overdue=true&sort=-cvss_score', (m) => ['open', 'in_progress'].includes(m.status) && m.due_date !== null && m.due_date < nowIso, byCvssDesc],
      [`due_date[lt]=${nowIso}`, (m) => m.due_date !== null && m.due_date < nowIso, newestFirst],
      [`due_date[gte]=${nowIso}&status=open`, (m) => m.due_date !== null && m.due_date >= nowIso && m.status === 'open', newestFirst],
      // Sorted by due date, the ranges also bound the sort key; records without one never match.
      ['overdue=true&sort=-due_date', (m) => ['open', 'in_progress'].includes(m.status) && m.due_date !== null && m.due_date < nowIso, byDue(true)],
      [`due_date[gte]=${nowIso}&sort=-due_date`, (m) => m.due_date !== null && m.due_date >= nowIso, byDue(true)],
      [`due_date[gt]=${nowIso}&sort=due_date`, (m) => m.due_date !== null && m.due_date > nowIso, byDue(false)],
      [`due_date[lte]=${nowIso}&sort=due_date`, (m) => m.due_date !== null && m.due_date <= nowIso, byDue(false)]
    ]

    const plans = [
      ['along the order (a page found in the probe; the default settings)', { probeRows: 2000, sortUpTo: 50_000 }],
      ['the due-date index, sorted (probe too short, range small)', { probeRows: 1, sortUpTo: 50_000 }],
      ['along the order (probe too short, range too big to sort)', { probeRows: 1, sortUpTo: 1 }]
    ] as const
    for (const [name, plan] of plans) {
      test(`${name}: every walk is the rule's records in the sort's order`, async () => {
        Object.assign(SQLITE_DUE_DATE_PLAN, plan)
        for (const [query, keep, order] of cases) {
          const expected = made.filter(keep).sort(order).map((m) => m.id)
          assert.ok(expected.length > 2, query)
          for (const limit of [1, 2, 5, 50]) {
            const url = `${V}?${query.replace(/\+/g, '%2B')}&limit=${limit}`
            assert.deepEqual((await walk(t, url)).map((r) => r.id), expected, url)
          }
        }
      })
    }
  })
}
