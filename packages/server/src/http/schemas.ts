import type { FieldDecl } from '../resources/fields.ts'
import type { ResourceDecl } from '../resources/resource.ts'
import { allFields } from '../resources/index.ts'
import { CVE_PATTERN, RESOLVED_STATUSES } from '../resources/vulnerability.ts'
import { PROBLEMS } from '../errors.ts'

// JSON Schemas derived from the declarations: Fastify validates request bodies with them (Ajv)
// and serializes responses with them (fast-json-stringify), and openapi.ts publishes them.

type Schema = Record<string, unknown>

/** The JSON Schema of one field's value (without nullability). */
export function valueSchema (field: FieldDecl): Schema {
  const doc: Schema = {}
  switch (field.kind) {
    case 'string':
      Object.assign(doc, { type: 'string', maxLength: field.maxLength })
      if (field.name === 'cve_id') doc.pattern = CVE_PATTERN
      break
    case 'id':
      Object.assign(doc, { type: 'string', minLength: 1, maxLength: field.maxLength ?? 255 })
      break
    case 'enum':
      Object.assign(doc, { type: 'string', enum: [...field.enum!] })
      break
    case 'number':
      Object.assign(doc, { type: 'number', minimum: field.minimum, maximum: field.maximum })
      break
    case 'integer':
      Object.assign(doc, { type: 'integer', minimum: field.minimum, maximum: field.maximum })
      break
    case 'boolean':
      doc.type = 'boolean'
      break
    case 'datetime':
      Object.assign(doc, { type: 'string', format: 'date-time' })
      break
    case 'id-array':
      Object.assign(doc, { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, uniqueItems: true, maxItems: field.maxItems })
      break
    case 'string-array':
      Object.assign(doc, { type: 'array', items: { type: 'string', minLength: 1, maxLength: field.maxLength }, maxItems: field.maxItems })
      break
    case 'json-array':
      Object.assign(doc, { type: 'array', items: { type: 'object', additionalProperties: true } })
      break
    case 'json-object':
      Object.assign(doc, { type: 'object', additionalProperties: true })
      break
  }
  for (const key of Object.keys(doc)) if (doc[key] === undefined) delete doc[key]
  return doc
}

/** Every field may be null except the few the server always sets. */
const NEVER_NULL = new Set(['id', 'tenant_id', 'created_at', 'updated_at', 'source', 'source_type', 'is_deleted', 'schema_version'])

function nullable (field: FieldDecl, schema: Schema): Schema {
  if (NEVER_NULL.has(field.name)) return schema
  const out: Schema = { ...schema, type: [schema.type as string, 'null'] }
  if (Array.isArray(schema.enum)) out.enum = [...(schema.enum as unknown[]), null]
  return out
}

function describe (field: FieldDecl, schema: Schema): Schema {
  const out: Schema = { description: field.description, ...schema }
  if (field.readOnly) out.readOnly = true
  if (field.example !== undefined) out.examples = [field.example]
  return out
}

/** The record as responses carry it: every field, both names of an alias, read-only ones marked. */
export function recordSchema (resource: ResourceDecl): Schema {
  const properties: Record<string, Schema> = {}
  for (const field of allFields(resource)) properties[field.name] = describe(field, nullable(field, valueSchema(field)))
  return {
    $id: `${resource.title}`,
    type: 'object',
    description: resource.description,
    properties,
    required: allFields(resource).map((f) => f.name),
    additionalProperties: false
  }
}

/**
 * A create or merge-patch body. Server-set fields are accepted with any value and ignored (the
 * seed's examples send them); unknown fields are rejected; nothing is required.
 */
export function inputSchema (resource: ResourceDecl, kind: 'create' | 'update'): Schema {
  const properties: Record<string, Schema> = {}
  for (const field of allFields(resource)) {
    if (field.readOnly) {
      properties[field.name] = { description: `${field.description} Read-only: ignored when sent.` }
    } else if (field.name === 'is_deleted') {
      properties[field.name] = { type: 'boolean', description: kind === 'create' ? 'Ignored on create.' : 'true deletes (soft), false restores.' }
    } else {
      properties[field.name] = describe(field, nullable(field, valueSchema(field)))
    }
  }
  return {
    $id: `${resource.title}${kind === 'create' ? 'Create' : 'Patch'}`,
    type: 'object',
    description: kind === 'create'
      ? `Fields of a new ${resource.title}. None is required; server-set fields are ignored.`
      : 'A JSON merge patch (RFC 7396): a present field is set, null clears it, an absent one is left alone.',
    properties,
    additionalProperties: false
  }
}

export function resolveSchema (): Schema {
  return {
    $id: 'VulnerabilityResolve',
    type: 'object',
    description: 'Closes a vulnerability: remediated (default), accepted_risk (needs justification and risk:accept) or false_positive (needs justification).',
    properties: {
      status: { type: 'string', enum: [...RESOLVED_STATUSES], default: 'remediated' },
      justification: { type: ['string', 'null'], maxLength: 65_536 },
      remediated_at: { type: ['string', 'null'], format: 'date-time' },
      review_at: { type: ['string', 'null'], format: 'date-time' }
    },
    additionalProperties: false
  }
}

export function listSchema (resource: ResourceDecl): Schema {
  return {
    $id: `${resource.title}List`,
    type: 'object',
    properties: {
      data: { type: 'array', items: { $ref: `${resource.title}#` } },
      has_more: { type: 'boolean' },
      next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` to get the next page; null on the last page.' },
      total: { type: 'integer', description: 'Count of all matches; only with include_total=true.' }
    },
    required: ['data', 'has_more', 'next_cursor'],
    additionalProperties: false
  }
}

export function historySchema (): Schema {
  return {
    $id: 'HistoryList',
    type: 'object',
    properties: {
      data: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
            actor: { type: 'string', description: 'The writer\'s `sub`.' },
            app_id: { type: ['string', 'null'] },
            action: { type: 'string', enum: ['create', 'update', 'resolve', 'delete', 'restore'] },
            changes: {
              type: 'object',
              description: 'Changed fields: { field: { from, to } }.',
              additionalProperties: { type: 'object', properties: { from: {}, to: {} }, required: ['from', 'to'] }
            }
          },
          required: ['id', 'at', 'actor', 'app_id', 'action', 'changes'],
          additionalProperties: false
        }
      },
      has_more: { type: 'boolean' },
      next_cursor: { type: ['string', 'null'] }
    },
    required: ['data', 'has_more', 'next_cursor'],
    additionalProperties: false
  }
}

export function problemSchema (): Schema {
  return {
    $id: 'Problem',
    type: 'object',
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', enum: Object.keys(PROBLEMS) },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] }
      },
      request_id: { type: 'string' }
    },
    required: ['type', 'title', 'status', 'detail', 'code', 'request_id']
  }
}
