// Type-level tests: compiled by `tsc -p packages/sdk/tsconfig.test.json` (part of `npm test`'s
// typecheck), never run. Every `@ts-expect-error` line must fail to compile — tsc reports an
// unused directive as an error — so a wrong field name or enum value that started compiling
// would fail the build. It imports the package as users do (its built declarations).
import { NotFoundError, PostureClient } from '@posture/sdk'
import type { ComplianceControl, HistoryEntry, Page, RiskItem, Vulnerability, WithETag } from '@posture/sdk'

declare const client: PostureClient
declare const id: string

export async function records (): Promise<void> {
  const v: WithETag<Vulnerability> = await client.risk.vulnerabilities.create({ title: 'OpenSSL RCE', cve_id: 'CVE-2024-0001' })
  const etag: string = v.etag
  const severity: 'critical' | 'high' | 'medium' | 'low' | 'info' | null = v.severity
  // @ts-expect-error: not a Vulnerability field
  void v.severty
  // @ts-expect-error: risk_score belongs to RiskItem
  void v.risk_score
  try {
    await client.riskItems.get(id)
  } catch (error) {
    if (error instanceof NotFoundError) {
      const status: 404 = error.status
      void status
    }
  }
  const r: RiskItem = await client.riskItems.get(id)
  const score: number | null = r.risk_score
  const c: ComplianceControl = await client.complianceControls.get(id)
  const tags: string[] | null = c.tags
  void [etag, severity, score, tags]
}

export async function createAndPatchBodies (): Promise<void> {
  await client.vulnerabilities.create({})
  await client.vulnerabilities.create({ severity: 'critical', status: 'open', affected_asset_type: 'CloudResource', cvss_score: 9.8 })
  // @ts-expect-error: wrong field name
  await client.vulnerabilities.create({ titel: 'typo' })
  // @ts-expect-error: wrong enum value
  await client.vulnerabilities.create({ severity: 'severe' })
  // @ts-expect-error: wrong enum value of the asset type
  await client.vulnerabilities.create({ affected_asset_type: 'Laptop' })
  // @ts-expect-error: a number field takes no string
  await client.vulnerabilities.create({ cvss_score: '9.8' })
  // @ts-expect-error: a RiskItem status is not a Vulnerability status
  await client.vulnerabilities.update(id, { status: 'mitigating' })
  await client.vulnerabilities.update(id, { status: 'in_progress', description: null }, { ifMatch: '"1"' })
  await client.complianceControls.create({ framework: 'iso27001', control_ref: 'A.9.2.1', tags: ['access'], evidence: [{ url: 'https://x' }] })
  // @ts-expect-error: not a framework
  await client.complianceControls.create({ framework: 'sox' })
  // @ts-expect-error: tags are strings
  await client.complianceControls.update(id, { tags: [1] })
  await client.riskItems.create({ likelihood: 'almost_certain', impact: 'catastrophic', category: 'third_party' })
  // @ts-expect-error: not a likelihood
  await client.riskItems.create({ likelihood: 'certain' })
  // @ts-expect-error: a create has no resolve-only body
  await client.riskItems.resolve(id)
  await client.vulnerabilities.resolve(id, { status: 'false_positive', justification: 'unreachable' })
  // @ts-expect-error: resolve cannot go back to open
  await client.vulnerabilities.resolve(id, { status: 'open' })
}

export async function listFilters (): Promise<void> {
  const page: Page<Vulnerability> = await client.risk.vulnerabilities.list({ severity: 'critical', cvss_score: { gte: 9 } })
  const more: boolean = page.hasMore
  const cursor: string | null = page.nextCursor
  const next: Page<Vulnerability> | null = await page.nextPage()
  void [more, cursor, next]
  for await (const v of client.risk.vulnerabilities.list({ status: { in: ['open', 'in_progress'] } })) {
    const status: Vulnerability['status'] = v.status
    void status
  }
  await client.vulnerabilities.list({ discovered_at: { gte: new Date(), lt: '2027-01-01T00:00:00Z' }, cve_id: { exists: false }, overdue: true })
  await client.vulnerabilities.list({ sort: ['-cvss_score', 'title'], limit: 10, include_total: true, include_deleted: true, search: 'openssl' })
  await client.complianceControls.list({ tags: { contains: 'pci' }, framework: { ne: 'custom' } })
  // @ts-expect-error: not a filterable field
  await client.vulnerabilities.list({ severty: 'critical' })
  // @ts-expect-error: wrong enum value in a filter
  await client.vulnerabilities.list({ severity: 'severe' })
  // @ts-expect-error: wrong enum value inside `in`
  await client.vulnerabilities.list({ status: { in: ['open', 'closed'] } })
  // @ts-expect-error: unknown operator
  await client.vulnerabilities.list({ cvss_score: { greater: 9 } })
  // @ts-expect-error: ranges are for numbers and dates, not enums
  await client.vulnerabilities.list({ severity: { gte: 'high' } })
  // @ts-expect-error: cannot sort by a field that is not sortable
  await client.vulnerabilities.list({ sort: 'description' })
  // @ts-expect-error: overdue is a vulnerability filter only
  await client.riskItems.list({ overdue: true })
  // @ts-expect-error: arrays filter with contains, not equality
  await client.complianceControls.list({ tags: 'pci' })
}

export async function options (): Promise<void> {
  const controller = new AbortController()
  await client.vulnerabilities.get(id, { signal: controller.signal, timeoutMs: 1000, maxRetries: 0, headers: { 'x-request-id': 'r1' } })
  await client.vulnerabilities.create({}, { idempotencyKey: 'k1' })
  await client.vulnerabilities.delete(id, { ifMatch: '"3"' })
  await client.vulnerabilities.restore(id, { ifMatch: '"4"', idempotencyKey: 'k2' })
  // @ts-expect-error: a create has no If-Match (there is no record yet)
  await client.vulnerabilities.create({}, { ifMatch: '"1"' })
  // @ts-expect-error: PATCH is idempotent by itself: no Idempotency-Key
  await client.vulnerabilities.update(id, {}, { idempotencyKey: 'k' })
  // @ts-expect-error: reads take no If-Match
  await client.vulnerabilities.get(id, { ifMatch: '"1"' })
  const history: Page<HistoryEntry> = await client.vulnerabilities.history(id, { limit: 5 })
  const action: 'create' | 'update' | 'resolve' | 'delete' | 'restore' = history.data[0]!.action
  void action
  const { data, requestId, etag } = await client.vulnerabilities.get(id).withResponse()
  void [data.id, requestId, etag]
  // @ts-expect-error: the token is required
  void new PostureClient({ baseUrl: 'http://127.0.0.1:8080' })
}
