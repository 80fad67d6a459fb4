import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, expectBadParam, expectIds, listIds, listPage, patch } from './support/lists.ts'

// SPEC §4 filters: every operator on every kind of field, aliases, relations, overdue,
// include_deleted / include_total, and the 400s — on every backend.

const V = '/api/v1/vulnerabilities'
const C = '/api/v1/compliance-controls'
const R = '/api/v1/risk-items'

for (const backend of await testBackends()) {
  describe(`list filters on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    const v: Record<string, any> = {}
    const c: Record<string, any> = {}
    const r: Record<string, any> = {}
    before(async () => {
      t = await startTestApp(backend)
      v.xz = await create(t, 'vulnerabilities', { title: 'XZ backdoor', cve_id: 'cve-2024-3094', cvss_score: 10, assigned_to: 'per_1', discovered_at: '2020-01-01T00:00:00Z' })
      v.log4j = await create(t, 'vulnerabilities', { title: 'Log4Shell', cve_id: 'CVE-2021-44228', cvss_score: 9.8, status: 'in_progress', assigned_to: 'per_2' })
      v.tls = await create(t, 'vulnerabilities', { title: 'Weak TLS', cvss_score: 5.3, status: 'remediated', discovered_at: '2020-01-01T00:00:00Z' })
      v.fp = await create(t, 'vulnerabilities', { title: "Quote ' test", severity: 'low', status: 'false_positive', justification: 'scanner noise' })
      c.a = await create(t, 'compliance-controls', { framework: 'iso27001', control_ref: 'A.9.2.1', name: 'User registration', owner_id: 'per_1', tags: ['pci', 'prod'], effectiveness: 0.8, next_review_date: '2025-01-01T00:00:00Z' })
      c.b = await create(t, 'compliance-controls', { framework: 'soc2', control_id: 'CC6.1', title: 'Logical access', tags: ['prod'], mapped_control_ids: [c.a.id] })
      c.c = await create(t, 'compliance-controls', { framework: 'soc2', control_id: 'CC6.2', title: 'Provisioning' })
      r.one = await create(t, 'risk-items', { title: 'Single region', likelihood: 'likely', impact: 'major', linked_vulnerability_ids: [v.xz.id], linked_control_ids: [c.a.id] })
      r.two = await create(t, 'risk-items', { title: 'Vendor lock-in', likelihood: 'rare', impact: 'minor', due_date: '2030-01-01T00:00:00Z' })
      r.three = await create(t, 'risk-items', { title: 'No owner' })
    })
    after(async () => { await t?.close() })

    const expect = async (url: string, ids: string[]) => await expectIds(t, url, ids)

    test('enum: =, [in], [ne], [exists]', async () => {
      await expect(`${V}?severity=critical`, [v.xz.id, v.log4j.id])
      await expect(`${V}?status[in]=open,in_progress`, [v.xz.id, v.log4j.id])
      await expect(`${V}?status[ne]=open`, [v.log4j.id, v.tls.id, v.fp.id])
      await expect(`${R}?likelihood[exists]=false`, [r.three.id])
      await expect(`${R}?likelihood[exists]=true`, [r.one.id, r.two.id])
    })

    test('numbers: =, [ne], [gt], [gte], [lt], [lte], [in], [exists]; integers', async () => {
      await expect(`${V}?cvss_score=9.8`, [v.log4j.id])
      await expect(`${V}?cvss_score[ne]=9.8`, [v.xz.id, v.tls.id, v.fp.id])
      await expect(`${V}?cvss_score[gt]=9.8`, [v.xz.id])
      await expect(`${V}?cvss_score[gte]=9.8`, [v.xz.id, v.log4j.id])
      await expect(`${V}?cvss_score[lt]=9.8`, [v.tls.id])
      await expect(`${V}?cvss_score[lte]=9.8&cvss_score[gt]=5`, [v.log4j.id, v.tls.id])
      await expect(`${V}?cvss_score[in]=10,5.3`, [v.xz.id, v.tls.id])
      await expect(`${V}?cvss_score[exists]=false`, [v.fp.id])
      await expect(`${R}?risk_score[gte]=12`, [r.one.id])
      await expect(`${R}?risk_score=2`, [r.two.id])
      await expect(`${C}?effectiveness[lt]=0.9`, [c.a.id])
    })

    test('date-times: [gt], [gte], [lt], [lte], =, dates, offsets', async () => {
      await expect(`${V}?discovered_at[lt]=2021-01-01`, [v.xz.id, v.tls.id])
      await expect(`${V}?discovered_at=2020-01-01T01:00:00%2B01:00`, [v.xz.id, v.tls.id])
      await expect(`${V}?discovered_at[gte]=2021-01-01T00:00:00Z`, [v.log4j.id, v.fp.id])
      await expect(`${V}?due_date[lte]=2020-01-08T00:00:00.000Z`, [v.xz.id])
      await expect(`${R}?due_date[gt]=2029-12-31T23:59:59Z`, [r.two.id])
      await expect(`${R}?due_date[exists]=false`, [r.one.id, r.three.id])
      await expect(`${V}?created_at[gt]=${encodeURIComponent(v.fp.created_at)}`, [])
      await expect(`${V}?created_at[gte]=${encodeURIComponent(v.fp.created_at)}`, [v.fp.id])
    })

    test('strings and ids: =, [in], [ne], [exists]; values are bound, never SQL', async () => {
      await expect(`${V}?cve_id=CVE-2024-3094`, [v.xz.id])
      await expect(`${V}?cve_id[exists]=false`, [v.tls.id, v.fp.id])
      await expect(`${V}?title[in]=Weak%20TLS,Log4Shell`, [v.log4j.id, v.tls.id])
      await expect(`${V}?assigned_to=per_1`, [v.xz.id])
      await expect(`${V}?assigned_to[ne]=per_1`, [v.log4j.id, v.tls.id, v.fp.id])
      await expect(`${V}?id=${v.fp.id}`, [v.fp.id])
      await expect(`${V}?title=${encodeURIComponent("Quote ' test")}`, [v.fp.id])
      await expect(`${V}?title=${encodeURIComponent("x' or '1'='1")}`, [])
      await expect(`${V}?source=edm&source_type=api`, [v.xz.id, v.log4j.id, v.tls.id, v.fp.id])
    })

    test('aliases filter the field they name', async () => {
      await expect(`${C}?control_ref=A.9.2.1`, [c.a.id])
      await expect(`${C}?control_id=A.9.2.1`, [c.a.id])
      await expect(`${C}?name=Logical%20access`, [c.b.id])
      await expect(`${C}?owner_id=per_1`, [c.a.id])
      await expect(`${C}?owner=per_1`, [c.a.id])
      await expect(`${C}?next_review_date[lt]=2026-01-01`, [c.a.id])
      await expect(`${C}?control_ref[in]=CC6.1,CC6.2&sort=control_ref`, [c.b.id, c.c.id])
    })

    test('OpenAPI documents the alias filters with the rest', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
      const names = doc.paths['/api/v1/compliance-controls'].get.parameters.map((p: { name: string }) => p.name)
      for (const name of ['control_ref', 'control_ref[in]', 'control_id[ne]', 'owner_id', 'next_review_date[lt]', 'tags[contains]', 'mapped_control_ids[contains]', 'search']) {
        assert.ok(names.includes(name), name)
      }
    })

    test('array columns: [contains] (and bare =), [exists]', async () => {
      await expect(`${C}?tags[contains]=prod`, [c.a.id, c.b.id])
      await expect(`${C}?tags=pci`, [c.a.id])
      await expect(`${C}?tags[contains]=pc`, [])
      await expect(`${C}?tags[exists]=false`, [c.c.id])
      await expect(`${R}?linked_vulnerability_ids[contains]=${v.xz.id}`, [r.one.id])
      await expect(`${R}?linked_vulnerability_ids[exists]=true`, [r.one.id])
    })

    test('link relations: [contains] and [exists] on both sides, dormant while an end is deleted', async () => {
      await expect(`${C}?mapped_control_ids[contains]=${c.a.id}`, [c.b.id])
      await expect(`${C}?mapped_control_ids[contains]=${c.b.id}`, [c.a.id])
      await expect(`${C}?mapped_control_ids[exists]=true`, [c.a.id, c.b.id])
      await expect(`${C}?mapped_control_ids[exists]=false`, [c.c.id])
      await expect(`${C}?mitigated_risk_ids[contains]=${r.one.id}`, [c.a.id])
      await expect(`${R}?linked_control_ids[contains]=${c.a.id}`, [r.one.id])
      await expect(`${R}?linked_control_ids[exists]=false`, [r.two.id, r.three.id])
      assert.equal((await t.call('DELETE', `${R}/${r.one.id}`)).statusCode, 200)
      await expect(`${C}?mitigated_risk_ids[contains]=${r.one.id}`, [])
      await expect(`${C}?mitigated_risk_ids[exists]=true`, [])
      await expect(`${R}?linked_control_ids[contains]=${c.a.id}&include_deleted=true`, [])
      assert.equal((await t.call('POST', `${R}/${r.one.id}/restore`)).statusCode, 200)
      await expect(`${C}?mitigated_risk_ids[contains]=${r.one.id}`, [c.a.id])
    })

    test('overdue=true: active and past due_date', async () => {
      await expect(`${V}?overdue=true`, [v.xz.id])
      await expect(`${V}?overdue=false&status=remediated`, [v.tls.id])
      await patch(t, 'vulnerabilities', v.xz.id, { status: 'in_progress' })
      await expect(`${V}?overdue=true`, [v.xz.id])
      await expect(`${V}?overdue=true&severity=low`, [])
    })

    test('include_deleted and include_total', async () => {
      const temp = await create(t, 'vulnerabilities', { title: 'Temporary' })
      assert.equal((await t.call('DELETE', `${V}/${temp.id}`)).statusCode, 200)
      assert.ok(!(await listIds(t, V)).includes(temp.id))
      assert.ok((await listIds(t, `${V}?include_deleted=true`)).includes(temp.id))
      const page = await listPage(t, `${V}?include_total=true&limit=1`)
      assert.equal(page.total, 4)
      assert.equal(page.data.length, 1)
      assert.equal((await listPage(t, `${V}?include_total=true&include_deleted=true&title=Temporary`)).total, 1)
      assert.equal((await listPage(t, V)).total, undefined)
    })

    test('another tenant and another app see none of these records', async () => {
      assert.deepEqual(await listIds(t, V, { tenant: 't2' }), [])
      assert.deepEqual(await listIds(t, `${V}?severity=critical`, { tenant: 't1', app: 'app_other' }), [])
    })

    test('bad filters are 400s naming the parameter', async () => {
      await expectBadParam(t, `${V}?nope=1`, 'nope')
      await expectBadParam(t, `${V}?description=x`, 'description')
      await expectBadParam(t, `${V}?tenant_id=t2`, 'tenant_id')
      await expectBadParam(t, `${V}?severity[gt]=high`, 'severity[gt]')
      await expectBadParam(t, `${V}?severity[like]=high`, 'severity[like]')
      await expectBadParam(t, `${V}?severity=urgent`, 'severity')
      await expectBadParam(t, `${V}?status[in]=open,shut`, 'status[in]')
      await expectBadParam(t, `${V}?cvss_score[gt]=abc`, 'cvss_score[gt]')
      await expectBadParam(t, `${V}?cvss_score=0x10`, 'cvss_score')
      await expectBadParam(t, `${V}?cvss_score[gte]=`, 'cvss_score[gte]')
      await expectBadParam(t, `${R}?risk_score=2.5`, 'risk_score')
      await expectBadParam(t, `${V}?due_date[lt]=yesterday`, 'due_date[lt]')
      await expectBadParam(t, `${V}?title[gt]=a`, 'title[gt]')
      await expectBadParam(t, `${V}?cve_id[contains]=CVE`, 'cve_id[contains]')
      await expectBadParam(t, `${C}?tags[in]=a,b`, 'tags[in]')
      await expectBadParam(t, `${C}?tags[exists]=maybe`, 'tags[exists]')
      await expectBadParam(t, `${V}?severity=high&severity=low`, 'severity')
      await expectBadParam(t, `${V}?Severity=high`, 'Severity')
      await expectBadParam(t, `${C}?overdue=true`, 'overdue')
      await expectBadParam(t, `${V}?overdue=yes`, 'overdue')
      await expectBadParam(t, `${V}?include_deleted=1`, 'include_deleted')
      await expectBadParam(t, `${V}?include_total=yes`, 'include_total')
      await expectBadParam(t, `${V}?limit=0`, 'limit')
      await expectBadParam(t, `${V}?limit=201`, 'limit')
      await expectBadParam(t, `${V}?limit=ten`, 'limit')
      await expectBadParam(t, `${V}?title=${'x'.repeat(501)}`, 'title')
    })
  })
}
