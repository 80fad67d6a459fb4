import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { allFields } from '../resources/index.ts'
import { problem } from '../errors.ts'
import { normalizeTimestamp } from './time.ts'

export interface ParsedInput {
  /** Client-settable fields by canonical name; `null` clears. */
  fields: RecordData
  /** `is_deleted` when the client sent it (a PATCH uses it as delete/restore). */
  isDeleted?: boolean
}

/**
 * Turns a body that passed JSON Schema validation (types, enums, lengths, unknown fields) into
 * the fields a write sets: server-set fields are dropped (SPEC §3.1: the seed's own examples send
 * them), aliases are folded onto their canonical name (either name sets both; two different
 * values → 422), date-times are normalised to UTC with milliseconds, and size limits that JSON
 * Schema cannot express (serialized bytes) are checked.
 */
export function parseInput (resource: ResourceDecl, body: RecordData): ParsedInput {
  const fields: RecordData = {}
  const out: ParsedInput = { fields }
  for (const field of allFields(resource)) {
    if (!Object.hasOwn(body, field.name)) continue
    let value = body[field.name]
    if (field.name === 'is_deleted') {
      if (typeof value === 'boolean') out.isDeleted = value
      continue
    }
    if (field.readOnly) continue
    if (field.kind === 'datetime' && typeof value === 'string') value = normalizeTimestamp(value)
    if (field.maxBytes !== undefined && value != null && Buffer.byteLength(JSON.stringify(value)) > field.maxBytes) {
      throw problem.invalidField(field.name, `must be at most ${field.maxBytes} bytes of JSON`)
    }
    const name = field.aliasOf ?? field.name
    if (Object.hasOwn(fields, name) && !sameValue(fields[name], value)) {
      const other = field.aliasOf ?? allFields(resource).find((f) => f.aliasOf === field.name)!.name
      throw problem.unprocessable(field.name, `${field.name} and ${other} name the same value and must agree`)
    }
    fields[name] = value
  }
  return out
}

function sameValue (a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Adds every alias under its second name, for responses (reads always show both names). */
export function withAliases (resource: ResourceDecl, data: RecordData): RecordData {
  for (const field of resource.fields) {
    if (field.aliasOf) data[field.name] = data[field.aliasOf] ?? null
  }
  return data
}
