import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from '../../server/test/support/backends.ts'
import { useRealServer } from './support/real-server.ts'
import type { RealServer } from './support/real-server.ts'
import { Page, PostureClient } from '../src/index.ts'
import type { ComplianceControl, Vulnerability } from '../src/index.ts'

// Every operation of every resource through the SDK against the real service over HTTP, on
// every backend.

for (const backend of await testBackends()) {
  describe(`SDK operations on ${backend.name}`, { skip: backend.skip }, () => {
    const suite = useRealServer(backend)
    let server: RealServer
    let client: PostureClient
    before(() => ({ server, client } = suite))

    test('the top-level resources are the ones under client.risk', () => {
      assert.equal(client.vulnerabilities, client.risk.vulnerabilities)
      assert.equal(client.complianceControls, client.risk.complianceControls)
      assert.equal(client.riskItems, client.risk.riskItems)
    })

    test('the seed\'s create example works as written, with the server\'s values in place', async () => {
      const created = await client.risk.complianceControls.create({
        id: 'rec_01HXEXAMPLE',
        tenant_id: 'example tenant_id',
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        app_id: 'example app_id',
        created_by: 'rec_01HXEXAMPLE'
      })
      assert.match(created.id, /^ctl_/)
      assert.equal(created.tenant_id, 't1')
      assert.equal(created.app_id, null)
    })

    test('create, get, update with ifMatch, delete, restore and history of a vulnerability', async () => {
      const created = await client.risk.vulnerabilities.create({ title: 'OpenSSL RCE', cve_id: 'cve-2024-0001', cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' })
      assert.match(created.id, /^vul_/)
      assert.equal(created.cve_id, 'CVE-2024-0001')
      assert.equal(created.severity, 'critical')
      assert.equal(created.etag, '"1"')
      assert.ok(!Object.keys(created).includes('etag'), 'the ETag is not one of the record\'s fields')
      assert.ok(!JSON.stringify(created).includes('etag'))

      const got = await client.risk.vulnerabilities.get(created.id)
      assert.deepEqual(got, created)
      assert.equal(got.etag, created.etag)

      const updated = await client.risk.vulnerabilities.update(created.id, { status: 'in_progress', description: 'Heap overflow' }, { ifMatch: got.etag })
      assert.equal(updated.status, 'in_progress')
      assert.equal(updated.description, 'Heap overflow')
      assert.notEqual(updated.etag, got.etag)
      const cleared = await client.vulnerabilities.update(created.id, { description: null })
      assert.equal(cleared.description, null)
      assert.equal(cleared.status, 'in_progress')

      const deleted = await client.vulnerabilities.delete(created.id, { ifMatch: cleared.etag })
      assert.equal(deleted.is_deleted, true)
      assert.equal(deleted.deleted_by, 'alice')
      const restored = await client.vulnerabilities.restore(created.id, { ifMatch: deleted.etag })
      assert.equal(restored.is_deleted, false)

      const history = await client.vulnerabilities.history(created.id)
      assert.deepEqual(history.data.map((e) => e.action), ['restore', 'delete', 'update', 'update', 'create'])
      assert.deepEqual(history.data[3]!.changes.status, { from: 'open', to: 'in_progress' })
      assert.equal(history.data[0]!.actor, 'alice')
    })

    test('resolve: remediated by default, false_positive with a justification', async () => {
      const a = await client.risk.vulnerabilities.create({ title: 'a' })
      const remediated = await client.risk.vulnerabilities.resolve(a.id)
      assert.equal(remediated.status, 'remediated')
      assert.ok(remediated.remediated_at)
      const b = await client.risk.vulnerabilities.create({ title: 'b' })
      const fp = await client.risk.vulnerabilities.resolve(b.id, { status: 'false_positive', justification: 'Not reachable from the internet' }, { ifMatch: b.etag })
      assert.equal(fp.status, 'false_positive')
      assert.equal(fp.justification, 'Not reachable from the internet')
    })

    test('compliance controls and risk items: every operation', async () => {
      const control = await client.complianceControls.create({ framework: 'soc2', control_id: 'CC6.1', title: 'Logical access' })
      assert.equal(control.control_ref, 'CC6.1')
      const risk = await client.riskItems.create({ title: 'Single region', likelihood: 'likely', impact: 'major', linked_control_ids: [control.id] })
      assert.equal(risk.risk_score, 16)
      assert.equal(risk.risk_level, 'high')
      assert.deepEqual((await client.complianceControls.get(control.id)).mitigated_risk_ids, [risk.id])
      const mitigating = await client.riskItems.update(risk.id, { status: 'mitigating' }, { ifMatch: risk.etag })
      assert.equal(mitigating.status, 'mitigating')
      const renamed = await client.complianceControls.update(control.id, { name: 'Access reviews' })
      assert.equal(renamed.title, 'Access reviews')
      for (const resource of [client.complianceControls, client.riskItems] as const) {
        const id = resource === client.riskItems ? risk.id : control.id
        assert.equal((await resource.delete(id)).is_deleted, true)
        assert.equal((await resource.restore(id)).is_deleted, false)
        assert.ok((await resource.history(id)).data.length >= 3)
        assert.equal((await resource.get(id)).id, id)
      }
    })

    test('withResponse gives the raw response, request id and ETag', async () => {
      const { data, response, requestId, etag } = await client.vulnerabilities.create({ title: 'with response' }).withResponse()
      assert.equal(response.status, 201)
      assert.equal(response.headers.get('location'), `/api/v1/vulnerabilities/${data.id}`)
      assert.match(requestId!, /^req_/)
      assert.equal(etag, data.etag)
    })

    test('list: a page with data, hasMore, nextCursor, nextPage() and total; for await walks every page', async () => {
      const tenantClient = await server.client({ tenant: `pages-${backend.name}` })
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push((await tenantClient.vulnerabilities.create({ title: `page ${i}` })).id)
      const first = await tenantClient.vulnerabilities.list({ limit: 2, include_total: true })
      assert.ok(first instanceof Page)
      assert.equal(first.total, 5)
      assert.equal(first.hasMore, true)
      assert.ok(first.nextCursor)
      assert.deepEqual(first.data.map((v) => v.id), [ids[4], ids[3]])
      const second = await first.nextPage()
      assert.deepEqual(second!.data.map((v) => v.id), [ids[2], ids[1]])
      const third = await second!.nextPage()
      assert.deepEqual(third!.data.map((v) => v.id), [ids[0]])
      assert.equal(third!.hasMore, false)
      assert.equal(third!.nextCursor, null)
      assert.equal(await third!.nextPage(), null)
      assert.equal((await tenantClient.vulnerabilities.list()).total, undefined, 'total only when asked for')

      const walked: string[] = []
      for await (const v of tenantClient.vulnerabilities.list({ limit: 2, sort: 'created_at' })) walked.push(v.id)
      assert.deepEqual(walked, ids)
      const pages: number[] = []
      for await (const page of first.iterPages()) pages.push(page.data.length)
      assert.deepEqual(pages, [2, 2, 1])
      const fromPage: string[] = []
      for await (const v of second!) fromPage.push(v.id)
      assert.deepEqual(fromPage, [ids[2], ids[1], ids[0]])
    })

    test('list filters: equality, in, ne, range, exists, contains, sort, include_deleted, overdue', async () => {
      const c = await server.client({ tenant: `filters-${backend.name}` })
      const crit = await c.vulnerabilities.create({ title: 'Kernel privilege escalation', cvss_score: 9.8, discovered_at: '2020-01-01T00:00:00.000Z' })
      const high = await c.vulnerabilities.create({ title: 'OpenSSL timing', cvss_score: 7.5, status: 'in_progress', cve_id: 'CVE-2024-1111' })
      const low = await c.vulnerabilities.create({ title: 'Verbose banner', cvss_score: 2.0 })
      const gone = await c.vulnerabilities.create({ title: 'Deleted one', cvss_score: 5.0 })
      await c.vulnerabilities.delete(gone.id)
      const ids = async (params: Parameters<typeof c.vulnerabilities.list>[0]) => (await c.vulnerabilities.list(params)).data.map((v: Vulnerability) => v.id).sort()
      const sorted = (...xs: Array<{ id: string }>) => xs.map((x) => x.id).sort()

      assert.deepEqual(await ids({ severity: 'critical' }), sorted(crit))
      assert.deepEqual(await ids({ severity: { eq: 'high' } }), sorted(high))
      assert.deepEqual(await ids({ status: { in: ['open', 'in_progress'] } }), sorted(crit, high, low))
      assert.deepEqual(await ids({ severity: { ne: 'critical' } }), sorted(high, low))
      assert.deepEqual(await ids({ cvss_score: { gte: 7.5, lt: 9.8 } }), sorted(high))
      assert.deepEqual(await ids({ cve_id: { exists: true } }), sorted(high))
      assert.deepEqual(await ids({ created_at: { lte: new Date(Date.now() + 60_000) } }), sorted(crit, high, low))
      assert.deepEqual(await ids({ include_deleted: true }), sorted(crit, high, low, gone))
      assert.deepEqual(await ids({ overdue: true }), sorted(crit))
      const byScore = await c.vulnerabilities.list({ sort: ['-cvss_score', 'title'] })
      assert.deepEqual(byScore.data.map((v) => v.id), [crit.id, high.id, low.id])

      const tagged = await c.complianceControls.create({ framework: 'iso27001', control_id: 'A.9.2.1', tags: ['access', 'pci'] })
      await c.complianceControls.create({ framework: 'iso27001', control_id: 'A.9.2.2', tags: ['access'] })
      const pci = await c.complianceControls.list({ tags: { contains: 'pci' } })
      assert.deepEqual(pci.data.map((x: ComplianceControl) => x.id), [tagged.id])
      const withMapping = await c.complianceControls.list({ framework: 'iso27001', mapped_control_ids: { exists: true } })
      assert.equal(withMapping.data.length, 0)
    })

    test('history pages like lists', async () => {
      const v = await client.vulnerabilities.create({ title: 'h0' })
      for (let i = 1; i <= 4; i++) await client.vulnerabilities.update(v.id, { title: `h${i}` })
      const first = await client.vulnerabilities.history(v.id, { limit: 2 })
      assert.equal(first.data.length, 2)
      assert.equal(first.hasMore, true)
      const all = []
      for await (const entry of client.vulnerabilities.history(v.id, { limit: 2 })) all.push(entry.action)
      assert.deepEqual(all, ['update', 'update', 'update', 'update', 'create'])
    })

    test('a raw request reaches any endpoint with the client\'s auth', async () => {
      const body = await client.request<{ openapi: string }>({ method: 'GET', path: '/openapi.json' })
      assert.equal(body.openapi, '3.1.0')
      const list = await client.request<{ data: unknown[] }>({ method: 'GET', path: '/api/v1/risk-items', query: { limit: 1 } })
      assert.equal(list.data.length, 1)
    })

    test('a custom fetch carries every request', async () => {
      const urls: string[] = []
      const custom = new PostureClient({
        baseUrl: server.baseUrl,
        token: await server.app.token(),
        fetch: async (url, init) => { urls.push(`${init.method} ${url.slice(server.baseUrl.length)}`); return await fetch(url, init) }
      })
      const created = await custom.riskItems.create({ title: 'through custom fetch' })
      await custom.riskItems.get(created.id)
      assert.deepEqual(urls, ['POST /api/v1/risk-items', `GET /api/v1/risk-items/${created.id}`])
    })

    test('withOptions makes a client with some options replaced', async () => {
      const otherTenant = client.withOptions({ token: await server.app.token({ tenant: 'with-options' }), maxRetries: 0 })
      assert.equal(otherTenant.baseUrl, client.baseUrl)
      assert.equal(otherTenant.maxRetries, 0)
      assert.equal(client.maxRetries, 2)
      const created = await otherTenant.riskItems.create({ title: 'elsewhere' })
      assert.equal(created.tenant_id, 'with-options')
    })

    test('a token function is called for the token', async () => {
      let calls = 0
      const token = await server.app.token()
      const lazy = new PostureClient({ baseUrl: server.baseUrl, token: async () => { calls++; return token } })
      await lazy.vulnerabilities.list({ limit: 1 })
      await lazy.vulnerabilities.list({ limit: 1 })
      assert.equal(calls, 2)
    })
  })
}
