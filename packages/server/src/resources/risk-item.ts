import { f, LIMITS } from './fields.ts'
import type { ResourceDecl, RecordData, RuleInput } from './resource.ts'
import { requireJustification } from './resource.ts'
import { problem } from '../errors.ts'
import { SCOPES } from '../records/caller.ts'

export const RISK_CATEGORIES = ['security', 'operational', 'compliance', 'financial', 'strategic', 'legal', 'reputational', 'third_party', 'technology', 'other'] as const
/** Ordered: a label's position + 1 is its 1–5 rating. */
export const LIKELIHOODS = ['rare', 'unlikely', 'possible', 'likely', 'almost_certain'] as const
export const IMPACTS = ['insignificant', 'minor', 'moderate', 'major', 'catastrophic'] as const
export const RISK_STATUSES = ['identified', 'mitigating', 'accepted', 'transferred', 'closed'] as const
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const

export function riskScore (likelihood: unknown, impact: unknown): number | null {
  const l = LIKELIHOODS.indexOf(likelihood as never)
  const i = IMPACTS.indexOf(impact as never)
  return l < 0 || i < 0 ? null : (l + 1) * (i + 1)
}

/** Bands of SPEC §3.4: low 1–4, medium 5–9, high 10–16, critical 20–25. */
export function riskLevel (score: number | null): (typeof RISK_LEVELS)[number] | null {
  if (score === null) return null
  if (score >= 20) return 'critical'
  if (score >= 10) return 'high'
  if (score >= 5) return 'medium'
  return 'low'
}

/**
 * SPEC §3.4: risk_score and risk_level are recomputed on every write (client values never reach
 * here: they are read-only); accepting a risk needs the risk:accept scope (403) and a
 * justification (422).
 */
export function riskItemRules (next: RecordData, ctx: RuleInput): RecordData {
  const out = { ...next }
  out.risk_score = riskScore(out.likelihood, out.impact)
  out.risk_level = riskLevel(out.risk_score as number | null)
  const status = (out.status ?? 'identified') as string
  out.status = status
  if (status === 'accepted') {
    const statusMoved = ctx.previous === null || ctx.previous.status !== 'accepted'
    if (statusMoved && !ctx.caller.scopes.has(SCOPES.accept)) {
      throw problem.forbidden(`Accepting a risk needs the ${SCOPES.accept} scope.`)
    }
    requireJustification(out, status)
  }
  return out
}

export const riskItem: ResourceDecl = {
  name: 'risk_item',
  title: 'RiskItem',
  description: 'A tracked risk with likelihood, impact, and mitigation.',
  path: 'risk-items',
  table: 'risk_items',
  idPrefix: 'rsk',
  sdkName: 'riskItems',
  operations: ['list', 'get', 'create', 'update', 'delete', 'restore', 'history'],
  rules: riskItemRules,
  fields: [
    f.string('title', LIMITS.titleLength, 'Short, descriptive title of the risk.', { filterable: true, sortable: true, searchable: true, example: 'Single region hosting' }),
    f.string('description', LIMITS.textLength, 'Detailed description of the risk, including the threat source, vulnerability exploited, and potential business impact.', { searchable: true }),
    f.enum('category', RISK_CATEGORIES, 'Business category of the risk. Used to route risks to the appropriate risk owner team and generate category-specific risk dashboards.', { searchable: true }),
    f.enum('likelihood', LIKELIHOODS, 'Qualitative likelihood rating representing the probability that this risk will materialize. Maps to 1–5 (rare … almost_certain) for risk score computation.'),
    f.enum('impact', IMPACTS, 'Qualitative impact rating representing the magnitude of harm if this risk materializes. Maps to 1–5 (insignificant … catastrophic) for risk score computation.'),
    { name: 'risk_score', kind: 'integer', readOnly: true, minimum: 1, maximum: 25, filterable: true, sortable: true, description: 'Computed risk score (likelihood × impact), where each dimension maps to 1–5. Range is 1 (lowest) to 25 (highest). Set by the platform on every write; null unless both likelihood and impact are set.' },
    f.enum('risk_level', RISK_LEVELS, 'Computed band of risk_score: low 1–4, medium 5–9, high 10–16, critical 20–25. Null when risk_score is.', { readOnly: true }),
    f.enum('status', RISK_STATUSES, "Current treatment status (default identified). 'mitigating' means active work is underway to reduce the risk. 'accepted' means the risk has been formally accepted by an authorized stakeholder: it requires justification and the risk:accept scope."),
    f.string('justification', LIMITS.textLength, 'Why the risk was accepted. Required (non-blank) when status is accepted.', { searchable: true }),
    f.id('owner', 'Id of the Person responsible for managing and reporting on this risk item.'),
    f.ids('linked_vulnerability_ids', "Ids of this tenant's Vulnerability records that contribute to or evidence this risk.", { refersTo: 'vulnerability' }),
    f.ids('linked_control_ids', "Ids of this tenant's ComplianceControls that mitigate or address this risk; the same relation as ComplianceControl.mitigated_risk_ids.", {
      refersTo: 'compliance_control',
      link: { table: 'risk_control_links', self: 'risk_id', other: 'control_id' }
    }),
    f.string('mitigation_plan', LIMITS.textLength, 'Documented plan for mitigating or treating this risk, including actions, timelines, and responsible parties.', { searchable: true }),
    f.datetime('due_date', 'Target date by which this risk should be mitigated, accepted, or closed.')
  ]
}
