// A tour of every SDK operation. Start the API with `npm start` (at the repository root), then:
//   POSTURE_TOKEN=<the development token npm start printed> node packages/sdk/examples/tour.mjs
// The README's examples are excerpts of this file, and a test runs it against the real service.

// #region client
import { PostureClient, ConflictError, NotFoundError, PreconditionFailedError, UnprocessableEntityError } from '@posture/sdk'

const client = new PostureClient({
  baseUrl: process.env.POSTURE_URL ?? 'http://127.0.0.1:8080',
  token: process.env.POSTURE_TOKEN
})
// #endregion

// #region create
const vuln = await client.risk.vulnerabilities.create({
  title: 'OpenSSL RCE',
  cve_id: 'CVE-2024-0001',
  cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  affected_asset_id: 'tas_web_01',
  affected_asset_type: 'TechnologyAsset',
  source: 'Tenable'
})
console.log(vuln.id, vuln.severity, vuln.cvss_score, vuln.due_date) // vul_… critical 9.8 (discovered + 7 days)
// #endregion

// #region get
const fetched = await client.vulnerabilities.get(vuln.id) // client.vulnerabilities is client.risk.vulnerabilities
console.log(fetched.title, fetched.etag) // OpenSSL RCE "1"
// #endregion

// #region update
const started = await client.risk.vulnerabilities.update(vuln.id, { status: 'in_progress', assigned_to: 'per_alice' }, { ifMatch: fetched.etag })
console.log(started.status, started.etag) // in_progress "2"

try {
  await client.risk.vulnerabilities.update(vuln.id, { title: 'Lost update' }, { ifMatch: fetched.etag }) // stale ETag
} catch (error) {
  if (!(error instanceof PreconditionFailedError)) throw error
  console.log(error.status, error.code) // 412 precondition_failed
}
// #endregion

// #region with-response
const { data, response, requestId, etag } = await client.vulnerabilities.get(vuln.id).withResponse()
console.log(data.status, response.status, requestId, etag) // in_progress 200 req_… "2"
// #endregion

// #region list
const page = await client.risk.vulnerabilities.list({ severity: 'critical', cvss_score: { gte: 9 }, include_total: true })
console.log(page.data.length, page.total, page.hasMore, page.nextCursor)

for await (const v of client.risk.vulnerabilities.list({ status: { in: ['open', 'in_progress'] }, sort: ['-cvss_score', 'title'] })) {
  console.log(v.id, v.cvss_score, v.title) // every page, fetched as the loop goes
}

let current = await client.vulnerabilities.list({ limit: 2 })
while (current) {
  console.log(current.data.map((v) => v.id))
  current = await current.nextPage() // null after the last page
}
// #endregion

// #region resolve
const other = await client.vulnerabilities.create({ title: 'Scanner noise on port 8443', severity: 'low' })
const fp = await client.risk.vulnerabilities.resolve(other.id, { status: 'false_positive', justification: 'The port is closed at the firewall.' })
console.log(fp.status) // false_positive

try {
  await client.vulnerabilities.resolve(vuln.id, { status: 'accepted_risk' }) // no justification
} catch (error) {
  if (!(error instanceof UnprocessableEntityError)) throw error
  console.log(error.errors) // [ { field: 'justification', message: 'is required when status is accepted_risk' } ]
}
const fixed = await client.vulnerabilities.resolve(vuln.id) // remediated (the default)
console.log(fixed.status, fixed.remediated_at)
// #endregion

// #region delete-restore
const deleted = await client.vulnerabilities.delete(other.id)
console.log(deleted.is_deleted, deleted.deleted_at) // true 2026-…
const restored = await client.vulnerabilities.restore(other.id)
console.log(restored.is_deleted) // false
// #endregion

// #region history
const history = await client.vulnerabilities.history(vuln.id)
for (const change of history.data) console.log(change.at, change.actor, change.action, Object.keys(change.changes))
// #endregion

// #region controls-and-risks
const control = await client.risk.complianceControls.create({
  framework: 'soc2',
  control_id: 'CC6.1',
  title: 'Logical access security',
  status: 'partial',
  tags: ['access', 'soc2']
})
const risk = await client.risk.riskItems.create({
  title: 'Credential stuffing against the customer portal',
  category: 'security',
  likelihood: 'likely',
  impact: 'major',
  linked_vulnerability_ids: [vuln.id],
  linked_control_ids: [control.id]
})
console.log(risk.risk_score, risk.risk_level) // 16 high
console.log((await client.complianceControls.get(control.id)).mitigated_risk_ids) // [ 'rsk_…' ]

const accessControls = await client.complianceControls.list({ tags: { contains: 'access' }, framework: 'soc2' })
console.log(accessControls.data.map((c) => c.control_id))
const mitigating = await client.riskItems.update(risk.id, { status: 'mitigating', mitigation_plan: 'Rate limits and MFA.' }, { ifMatch: risk.etag })
console.log(mitigating.status)
// #endregion

// #region errors
try {
  await client.complianceControls.create({ framework: 'soc2', control_id: 'CC6.1' }) // the same control again
} catch (error) {
  if (!(error instanceof ConflictError)) throw error
  console.log(error.status, error.code, error.requestId) // 409 conflict req_…
}
try {
  await client.riskItems.get('rsk_01HXDOESNOTEXIST0000000000')
} catch (error) {
  if (!(error instanceof NotFoundError)) throw error
  console.log(error.message) // 404 No such RiskItem.
}
// #endregion

// #region options
const controller = new AbortController()
await client.vulnerabilities.list({ limit: 200 }, { signal: controller.signal, timeoutMs: 5_000, maxRetries: 5 })
await client.vulnerabilities.create({ title: 'From the importer' }, { idempotencyKey: 'import-2026-12-04-row-17' })
const latest = await client.vulnerabilities.get(vuln.id)
await client.vulnerabilities.update(vuln.id, { title: 'Renamed' }, { ifMatch: latest.etag, headers: { 'x-request-id': 'trace-123' } })
// #endregion

// #region cleanup
await client.riskItems.delete(risk.id)
await client.complianceControls.delete(control.id) // frees (soc2, CC6.1) for the next run
await client.vulnerabilities.delete(vuln.id)
await client.vulnerabilities.delete(other.id)
// #endregion
