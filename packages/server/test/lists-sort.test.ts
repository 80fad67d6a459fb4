import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, expectBadParam, listPage, walk } from './support/lists.ts'
import { RESOURCES, allFields } from '../src/resources/index.ts'
import { sortableFields } from '../src/records/list-query.ts'
import type { FieldDecl } from '../src/resources/fields.ts'

// SPEC §4 sort: every sortable field of every resource, ascending and descending, several
// fields, ties by id, NULLs last ascending (first descending), enums by rank, text by code
// point — and a cursor walk in small pages returns the same order as one big page.

type Rec = Record<string, any>

/** The documented order (docs/LISTS.md "Sorting") as a comparator. */
function compareBy (fields: FieldDecl[], keys: Array<{ name: string, desc: boolean }>) {
  const byName = new Map(fields.map((f) => [f.name, f]))
  const value = (field: FieldDecl, v: unknown): [number, unknown] => {
    if (field.kind === 'enum') {
      const ranks = field.sortRank ?? field.enum!
      const i = ranks.indexOf(v as string)
      return [0, i < 0 ? ranks.length : i]
    }
    return v === null || v === undefined ? [1, 0] : [0, v]
  }
  return (a: Rec, b: Rec): number => {
    for (const key of keys) {
      const field = byName.get(key.name)!
      const [an, av] = value(field, a[key.name])
      const [bn, bv] = value(field, b[key.name])
      let d = an - bn
      if (d === 0 && av !== bv) d = (av as any) < (bv as any) ? -1 : 1
      if (d !== 0) return key.desc ? -d : d
    }
    return 0
  }
}

const FIXTURES: Record<string, Rec[]> = {
  vulnerabilities: [
    { title: 'apple', cve_id: 'CVE-2024-0001', cvss_score: 9.8, discovered_at: '2024-01-01T00:00:00Z' },
    { title: 'Banana', cvss_score: 9.8, discovered_at: '2024-01-01T00:00:00Z' },
    { title: 'banana', severity: 'info', discovered_at: '2023-06-01T00:00:00Z' },
    { title: 'Zulu', cve_id: 'CVE-2021-44228', cvss_score: 5, status: 'in_progress' },
    { cvss_score: 2.1, status: 'remediated', source: 'Tenable' },
    { severity: 'high', status: 'false_positive', justification: 'noise', source: 'Qualys' },
    { title: 'apple', severity: 'critical' },
    {}
  ],
  'compliance-controls': [
    { framework: 'soc2', control_id: 'CC6.1', title: 'Logical access', category: 'Access', effectiveness: 0.5, next_review_at: '2026-01-01T00:00:00Z' },
    { framework: 'iso27001', control_id: 'A.9.2.1', title: 'logical access', category: 'access', effectiveness: 0.5 },
    { framework: 'iso27001', control_id: 'A.12.1', status: 'implemented', implementation_maturity: 'optimized', last_assessed_at: '2025-05-05T00:00:00Z' },
    { framework: 'custom', status: 'partial', effectiveness: 1 },
    {}
  ],
  'risk-items': [
    { title: 'Single region', likelihood: 'likely', impact: 'major', category: 'technology', due_date: '2027-01-01T00:00:00Z' },
    { title: 'Vendor', likelihood: 'rare', impact: 'minor', category: 'strategic' },
    { title: 'vendor', likelihood: 'almost_certain', impact: 'catastrophic', status: 'mitigating' },
    { likelihood: 'possible', impact: 'moderate', due_date: '2026-06-01T00:00:00Z' },
    {}
  ]
}

for (const backend of await testBackends()) {
  describe(`list sort on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => {
      t = await startTestApp(backend)
      for (const [path, records] of Object.entries(FIXTURES)) {
        for (const body of records) await create(t, path, body)
      }
    })
    after(async () => { await t?.close() })

    for (const resource of RESOURCES) {
      const base = `/api/v1/${resource.path}`
      for (const field of sortableFields(resource)) {
        for (const desc of [false, true]) {
          const sort = `${desc ? '-' : ''}${field.name}`
          test(`${resource.path}: sort=${sort} orders as documented, pages agree with one page`, async () => {
            const whole = (await listPage(t, `${base}?sort=${sort}&limit=200`)).data
            const expected = [...whole].sort(compareBy([...allFields(resource)], [{ name: field.name, desc }, { name: 'id', desc }]))
            assert.deepEqual(whole.map((r) => r.id), expected.map((r) => r.id))
            const walked = await walk(t, `${base}?sort=${sort}&limit=2`)
            assert.deepEqual(walked.map((r) => r.id), whole.map((r) => r.id))
          })
        }
      }
    }

    test('several fields, mixed directions, ties by id', async () => {
      for (const sort of ['severity,-cvss_score', '-severity,title,-due_date', 'status,-title,cve_id', 'cvss_score,-id', 'title,created_at']) {
        const base = '/api/v1/vulnerabilities'
        const keys = sort.split(',').map((s) => ({ name: s.replace(/^-/, ''), desc: s.startsWith('-') }))
        if (!keys.some((k) => k.name === 'id')) keys.push({ name: 'id', desc: keys[keys.length - 1]!.desc })
        const whole = (await listPage(t, `${base}?sort=${sort}&limit=200`)).data
        const expected = [...whole].sort(compareBy([...allFields(RESOURCES[0]!)], keys))
        assert.deepEqual(whole.map((r) => r.id), expected.map((r) => r.id), sort)
        for (const limit of [1, 3]) {
          assert.deepEqual((await walk(t, `${base}?sort=${sort}&limit=${limit}`)).map((r) => r.id), whole.map((r) => r.id), `${sort} limit ${limit}`)
        }
      }
    })

    test('the documented orders, spelled out', async () => {
      const titles = (await listPage(t, '/api/v1/vulnerabilities?sort=title&limit=200')).data.map((r) => r.title)
      assert.deepEqual(titles, ['Banana', 'Zulu', 'apple', 'apple', 'banana', null, null, null])
      const severities = (await listPage(t, '/api/v1/vulnerabilities?sort=-severity&limit=200')).data.map((r) => r.severity)
      assert.deepEqual(severities, [null, 'critical', 'critical', 'critical', 'high', 'medium', 'low', 'info'])
      const scores = (await listPage(t, '/api/v1/vulnerabilities?sort=-cvss_score&limit=200')).data.map((r) => r.cvss_score)
      assert.deepEqual(scores, [null, null, null, null, 9.8, 9.8, 5, 2.1])
      const byRef = (await listPage(t, '/api/v1/compliance-controls?sort=control_ref&limit=200')).data.map((r) => r.control_id)
      assert.deepEqual(byRef, ['A.12.1', 'A.9.2.1', 'CC6.1', null, null])
    })

    test('the default order is newest first', async () => {
      const data = (await listPage(t, '/api/v1/vulnerabilities?limit=200')).data
      const expected = [...data].sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
      assert.deepEqual(data.map((r) => r.id), expected.map((r) => r.id))
    })

    test('bad sorts are 400s', async () => {
      await expectBadParam(t, '/api/v1/vulnerabilities?sort=description', 'sort')
      await expectBadParam(t, '/api/v1/vulnerabilities?sort=nope', 'sort')
      await expectBadParam(t, '/api/v1/vulnerabilities?sort=title,-title', 'sort')
      await expectBadParam(t, '/api/v1/vulnerabilities?sort=', 'sort')
      await expectBadParam(t, '/api/v1/vulnerabilities?sort=title,,id', 'sort')
      await expectBadParam(t, '/api/v1/compliance-controls?sort=tags', 'sort')
    })
  })
}
