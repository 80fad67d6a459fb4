import { f, LIMITS } from './fields.ts'
import type { ResourceDecl, RecordData } from './resource.ts'
import { requireJustification } from './resource.ts'

export const FRAMEWORKS = ['soc2', 'iso27001', 'nist_csf', 'nist_800_53', 'pci_dss', 'hipaa', 'gdpr', 'cis', 'custom'] as const
export const CONTROL_STATUSES = ['not_implemented', 'partial', 'implemented', 'not_applicable'] as const
export const MATURITY_LEVELS = ['not_implemented', 'partial', 'implemented', 'optimized'] as const

/** SPEC §3.3: a control marked not_applicable says why. Aliases, sizes and links are declared on the fields. */
export function complianceControlRules (next: RecordData): RecordData {
  if (next.status === 'not_applicable') requireJustification(next, 'not_applicable')
  return next
}

export const complianceControl: ResourceDecl = {
  name: 'compliance_control',
  title: 'ComplianceControl',
  description: 'A control statement against a framework (SOC 2, ISO 27001, etc.).',
  path: 'compliance-controls',
  table: 'compliance_controls',
  idPrefix: 'ctl',
  sdkName: 'complianceControls',
  operations: ['list', 'get', 'create', 'update', 'delete', 'restore', 'history'],
  rules: complianceControlRules,
  unique: ['framework', 'control_id'],
  fields: [
    f.enum('framework', FRAMEWORKS, "The compliance or regulatory framework this control belongs to. 'custom' is for organization-specific internal controls not mapped to a standard framework.", { searchable: true }),
    f.string('control_id', 255, "Framework-native control identifier (e.g. 'CC6.1' for SOC2, 'A.9.2.1' for ISO 27001, 'PR.AC-1' for NIST CSF, 'Req 8.3' for PCI DSS). Same value as control_ref. Unique per framework among the tenant's live controls.", { filterable: true, sortable: true, searchable: true, example: 'CC6.1' }),
    f.string('title', LIMITS.titleLength, 'Short title of the control as defined in the framework or customized for internal use. Same value as name.', { filterable: true, sortable: true, searchable: true, example: 'Logical access security' }),
    f.string('description', LIMITS.textLength, 'Detailed description of what this control requires and how the organization has implemented or plans to implement it.', { searchable: true }),
    f.string('category', 255, "Control category or domain within the framework (e.g. 'Access Control', 'Encryption', 'Incident Response', 'Change Management').", { filterable: true, sortable: true, searchable: true }),
    f.id('owner', 'Id of the Person responsible for implementing and maintaining this control. Same value as owner_id.'),
    f.enum('status', CONTROL_STATUSES, "Current implementation status. 'partial' means the control is partially implemented and remediation work is ongoing. 'not_applicable' requires documented justification."),
    f.string('justification', LIMITS.textLength, 'Why the control is not applicable. Required (non-blank) when status is not_applicable.', { searchable: true }),
    { name: 'evidence', kind: 'json-array', maxBytes: 64 * 1024, description: 'Evidence artifacts (JSON objects) collected to demonstrate this control is implemented and operating effectively. At most 64 KiB.' },
    f.datetime('last_assessed_at', 'ISO 8601 timestamp of the most recent control assessment or evidence review.'),
    f.datetime('next_review_at', 'ISO 8601 timestamp when this control is next scheduled for review or re-assessment. Same value as next_review_date.'),
    f.ids('linked_asset_ids', 'Ids of TechnologyAssets to which this control applies. Unique entries, at most 1,000.'),
    f.id('framework_id', 'Id of the Framework this control belongs to.'),
    f.string('control_ref', 255, 'Framework-specific control reference number. Another name for control_id.', { aliasOf: 'control_id' }),
    f.string('name', LIMITS.titleLength, 'Short name of the control. Another name for title.', { aliasOf: 'title' }),
    f.string('objective', LIMITS.textLength, 'Control objective statement.', { searchable: true }),
    f.string('implementation_guidance', LIMITS.textLength, 'Recommended steps for implementing this control.', { searchable: true }),
    f.enum('implementation_maturity', MATURITY_LEVELS, "Current maturity level of this control's implementation."),
    f.number('effectiveness', 0, 1, 'Effectiveness score between 0 and 1.'),
    f.id('owner_id', 'Id of the Person who owns this control. Another name for owner.', { aliasOf: 'owner' }),
    f.datetime('next_review_date', 'Date when this control is next due for review. Another name for next_review_at.', { aliasOf: 'next_review_at' }),
    f.ids('evidence_ids', 'Ids of Evidence records that support this control. Unique entries, at most 1,000.'),
    f.ids('mapped_control_ids', "Ids of this tenant's controls (usually in other frameworks) that this control maps to. Symmetric: when A maps to B, B lists A.", {
      refersTo: 'compliance_control',
      link: { table: 'control_mappings', self: 'control_a', other: 'control_b', symmetric: true }
    }),
    f.ids('mitigated_risk_ids', "Ids of this tenant's RiskItems that this control mitigates; the same relation as RiskItem.linked_control_ids.", {
      refersTo: 'risk_item',
      link: { table: 'risk_control_links', self: 'control_id', other: 'risk_id' }
    }),
    f.ids('related_document_ids', 'Ids of related documents. Unique entries, at most 1,000.'),
    f.id('knowledge_entity_id', 'Bridge to the Knowledge Graph entity for this control.'),
    { name: 'custom_fields', kind: 'json-object', maxBytes: 16 * 1024, description: 'Tenant-defined additional fields (a JSON object of at most 16 KiB).' },
    { name: 'tags', kind: 'string-array', maxItems: 50, maxLength: 64, filterable: true, searchable: true, description: 'Free-form tags for filtering: at most 50 tags of at most 64 characters.' }
  ]
}
