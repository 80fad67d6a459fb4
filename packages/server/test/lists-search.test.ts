import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, expectBadParam, expectIds, listIds, listPage, patch, walk } from './support/lists.ts'

// SPEC §4 search: case-insensitive, every word must match, over each resource's text fields,
// tokenised the same way on both backends (docs/LISTS.md "Search").

const V = '/api/v1/vulnerabilities'
const C = '/api/v1/compliance-controls'
const R = '/api/v1/risk-items'
const q = (words: string) => encodeURIComponent(words)

for (const backend of await testBackends()) {
  describe(`list search on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    const v: Record<string, any> = {}
    const c: Record<string, any> = {}
    const r: Record<string, any> = {}
    before(async () => {
      t = await startTestApp(backend)
      v.log4j = await create(t, 'vulnerabilities', { title: 'Log4Shell in log4j', cve_id: 'CVE-2021-44228', cvss_score: 10, description: 'Remote code execution through a JNDI lookup.' })
      v.xz = await create(t, 'vulnerabilities', { title: 'XZ Utils backdoor', cve_id: 'CVE-2024-3094', cvss_score: 10, description: 'Malicious code in liblzma builds.' })
      v.scattered = await create(t, 'vulnerabilities', { title: 'Unrelated', severity: 'low', description: 'Seen in 2024; ticket 3094 tracks the CVE work. Café réseau.' })
      v.fp = await create(t, 'vulnerabilities', { title: 'Scanner noise', status: 'false_positive', justification: 'The Nessus plugin misfires on REMOTE hosts' })
      c.a = await create(t, 'compliance-controls', { framework: 'iso27001', control_ref: 'A.9.2.1', name: 'User registration and de-registration', category: 'Access Control', objective: 'Ensure authorised user access', tags: ['SOX-relevant'] })
      c.a10 = await create(t, 'compliance-controls', { framework: 'iso27001', control_id: 'A.9.2.10', title: 'Review of access rights', implementation_guidance: 'Quarterly reviews' })
      c.pr = await create(t, 'compliance-controls', { framework: 'nist_csf', control_id: 'PR.AC-1', title: 'Identities and credentials are managed' })
      r.region = await create(t, 'risk-items', { title: 'Single region hosting', category: 'third_party', mitigation_plan: 'Migrate to a multi-region deployment by Q3' })
      r.vendor = await create(t, 'risk-items', { title: 'Vendor lock-in', category: 'strategic', description: 'Proprietary APIs' })
    })
    after(async () => { await t?.close() })

    const expect = async (url: string, ids: string[]) => await expectIds(t, url, ids)

    test('one word, in any case, in any text field', async () => {
      await expect(`${V}?search=log4j`, [v.log4j.id])
      await expect(`${V}?search=LOG4J`, [v.log4j.id])
      await expect(`${V}?search=Jndi`, [v.log4j.id])
      await expect(`${V}?search=liblzma`, [v.xz.id])
      await expect(`${V}?search=nessus`, [v.fp.id])
      await expect(`${C}?search=quarterly`, [c.a10.id])
      await expect(`${C}?search=authorised`, [c.a.id])
      await expect(`${C}?search=iso27001`, [c.a.id, c.a10.id])
      await expect(`${R}?search=proprietary`, [r.vendor.id])
    })

    test('every word must match', async () => {
      await expect(`${V}?search=${q('remote jndi')}`, [v.log4j.id])
      await expect(`${V}?search=${q('remote code')}`, [v.log4j.id])
      await expect(`${V}?search=${q('code')}`, [v.log4j.id, v.xz.id])
      await expect(`${V}?search=${q('remote liblzma')}`, [])
      await expect(`${V}?search=${q('  remote   ')}`, [v.log4j.id, v.fp.id])
    })

    test('identifiers: CVE ids, control ids, log4j-style words are found whole', async () => {
      await expect(`${V}?search=CVE-2024-3094`, [v.xz.id])
      await expect(`${V}?search=cve-2024-3094`, [v.xz.id])
      await expect(`${V}?search=CVE-2021-44228`, [v.log4j.id])
      await expect(`${V}?search=${q('CVE-2024-3094 backdoor')}`, [v.xz.id])
      await expect(`${V}?search=2024`, [v.xz.id, v.scattered.id])
      await expect(`${C}?search=A.9.2.1`, [c.a.id])
      await expect(`${C}?search=A.9.2.10`, [c.a10.id])
      await expect(`${C}?search=PR.AC-1`, [c.pr.id])
      await expect(`${C}?search=pr.ac-1`, [c.pr.id])
      await expect(`${C}?search=sox-relevant`, [c.a.id])
      await expect(`${V}?search=log4`, [])
    })

    test('the text fields SPEC §4 names: name, objective, category, mitigation_plan', async () => {
      await expect(`${C}?search=${q('de-registration')}`, [c.a.id])
      await expect(`${C}?search=${q('access control')}`, [c.a.id])
      await expect(`${R}?search=${q('multi-region')}`, [r.region.id])
      await expect(`${R}?search=third_party`, [r.region.id])
      await expect(`${R}?search=${q('third party')}`, [r.region.id])
    })

    test('accents are kept: café matches café, not cafe', async () => {
      await expect(`${V}?search=${q('CAFÉ')}`, [v.scattered.id])
      await expect(`${V}?search=cafe`, [])
    })

    test('no match, and search with filters, sort, total and pagination', async () => {
      await expect(`${V}?search=heartbleed`, [])
      await expect(`${V}?search=code&cve_id=CVE-2024-3094`, [v.xz.id])
      await expect(`${V}?search=code&severity=low`, [])
      const page = await listPage(t, `${V}?search=code&include_total=true&limit=1&sort=title`)
      assert.equal(page.total, 2)
      assert.deepEqual(page.data.map((x) => x.id), [v.log4j.id])
      const all = await walk(t, `${V}?search=code&limit=1&sort=-title`)
      assert.deepEqual(all.map((x) => x.id), [v.xz.id, v.log4j.id])
    })

    test('follows writes: new text is found, old text is not, deleted records only with include_deleted', async () => {
      const rec = await create(t, 'vulnerabilities', { title: 'Spring4Shell' })
      await expect(`${V}?search=spring4shell`, [rec.id])
      await patch(t, 'vulnerabilities', rec.id, { title: 'Renamed finding', description: 'Zerologon' })
      await expect(`${V}?search=spring4shell`, [])
      await expect(`${V}?search=zerologon`, [rec.id])
      assert.equal((await t.call('DELETE', `${V}/${rec.id}`)).statusCode, 200)
      await expect(`${V}?search=zerologon`, [])
      await expect(`${V}?search=zerologon&include_deleted=true`, [rec.id])
    })

    test("another tenant's text is never found", async () => {
      assert.deepEqual(await listIds(t, `${V}?search=log4j`, { tenant: 't2' }), [])
    })

    test('a search with no letter or digit, or too long, is a 400', async () => {
      await expectBadParam(t, `${V}?search=${q('--- ...')}`, 'search')
      await expectBadParam(t, `${V}?search=${'a'.repeat(501)}`, 'search')
      await expectBadParam(t, `${V}?search=${q(Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '))}`, 'search')
      await expectBadParam(t, `${V}?search=a&search=b`, 'search')
      assert.equal((await listIds(t, `${V}?search=`)).length, 4)
    })
  })
}
