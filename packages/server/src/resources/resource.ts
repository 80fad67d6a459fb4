import type { FieldDecl, Operation, ResourceName } from './fields.ts'
import { f } from './fields.ts'
import type { Caller } from '../records/caller.ts'
import { problem } from '../errors.ts'

/** A record as the operations see it: every stored field by its canonical name. */
export type RecordData = Record<string, unknown>

export interface RuleInput {
  /** What the client asked to set (canonical names, aliases folded); for a create, every given field. */
  input: RecordData
  /** The record before the write; null on create. */
  previous: RecordData | null
  caller: Caller
  /** The write's timestamp, RFC 3339 UTC with milliseconds. */
  now: string
  action: 'create' | 'update' | 'resolve'
}

/**
 * A resource's rules: a pure function from the merged next record (previous + input) to the record
 * to store, or a thrown ProblemError. No I/O: checks that need the database (links, uniqueness)
 * are declared on fields (`refersTo`, `link`) or as `unique` and enforced by the operations.
 */
export type Rules = (next: RecordData, ctx: RuleInput) => RecordData

export interface ResourceDecl {
  name: ResourceName
  /** Class-like name used in docs, OpenAPI and the SDK: `Vulnerability`. */
  title: string
  description: string
  /** URL segment: `/api/v1/{path}`. */
  path: string
  table: string
  idPrefix: string
  /** Property on `client.risk`: `vulnerabilities`. */
  sdkName: string
  operations: readonly Operation[]
  fields: readonly FieldDecl[]
  rules: Rules
  /** Fields whose combination is unique among a tenant's live records (→ 409). */
  unique?: readonly string[]
}

export const SOURCE_TYPES = ['frontend', 'backend', 'server', 'system', 'api'] as const

/** The base every record shares (SPEC §3.1), in the seed's order and words. */
export const BASE_FIELDS: readonly FieldDecl[] = [
  f.string('id', 255, 'Server-assigned ULID with type prefix (e.g. vul_…).', { readOnly: true, kind: 'id', filterable: true, sortable: true }),
  f.string('tenant_id', 255, "Tenant scope — auto-stamped from the caller's JWT.", { readOnly: true }),
  f.string('app_id', 255, "App scope. Stamped ONLY when the caller's JWT was minted for a specific Application (integration API keys). Absent (null) for human-user sessions. Filters reads when present.", { readOnly: true, filterable: true }),
  f.datetime('created_at', 'Server stamp.', { readOnly: true }),
  f.datetime('updated_at', 'Server stamp; updated on every write that changes something.', { readOnly: true }),
  f.id('created_by', "Person id from the caller's JWT (sub).", { readOnly: true }),
  f.id('updated_by', "Person id from the last writer's JWT (sub).", { readOnly: true }),
  f.string('source', 255, "Provenance tag — defaults to 'edm'. For vulnerabilities, the name of the scanner or tool that found it (e.g. Tenable).", { filterable: true, sortable: true, searchable: false }),
  f.enum('source_type', SOURCE_TYPES, "Where the write originated. Defaults to 'api'."),
  { name: 'is_deleted', kind: 'boolean', description: 'Soft-delete flag. Excluded from default list queries. Ignored on create; PATCH true/false deletes/restores.' },
  f.datetime('deleted_at', 'Stamped when soft-deleted; null otherwise.', { readOnly: true }),
  f.id('deleted_by', 'Person id who soft-deleted; null otherwise.', { readOnly: true }),
  { name: 'schema_version', kind: 'integer', description: 'Document schema version. Bumped on incompatible writes.', readOnly: true }
]

export const SCHEMA_VERSION = 1

/**
 * The justification extension (SPEC §3.2–3.4): statuses that waive or accept something need a
 * non-blank reason, checked on every write so a stored record always has one (422).
 */
export function requireJustification (record: RecordData, status: string): void {
  if (typeof record.justification !== 'string' || record.justification.trim() === '') {
    throw problem.unprocessable('justification', `is required (non-blank) when status is ${status}`)
  }
}
