import type { FieldDecl } from '../resources/fields.ts'
import type { ResourceDecl } from '../resources/resource.ts'
import { allFields } from '../resources/index.ts'
import { problem } from '../errors.ts'
import { normalizeTimestamp } from './time.ts'
import { parseSearch } from './search-terms.ts'

// Parses a list request's query string (SPEC §4) into a ListQuery, against the allow-lists the
// resource declaration gives: which fields are filterable and sortable, which operators each
// field kind takes, and the value types. Anything else → 400 naming the parameter.

export type FilterOp = 'eq' | 'in' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'contains'

export interface Filter {
  field: FieldDecl
  op: FilterOp
  /** Typed and normalised: a string, number, boolean, or an array of those for `in`. */
  value: unknown
}

export interface SortKey {
  field: string
  desc: boolean
}

export interface ListQuery {
  limit: number
  /** Always ends with `id`, the tie-breaker. */
  sort: SortKey[]
  filters: Filter[]
  /** `search`: one phrase (tokens) per word, every word must match (records/search-terms.ts). */
  search: string[][] | null
  includeDeleted: boolean
  includeTotal: boolean
  /** `overdue=true` (vulnerabilities): active and past `due_date`. */
  overdue: boolean
  cursor: string | null
}

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 200

const OPS_BY_KIND: Record<string, readonly FilterOp[]> = {
  string: ['eq', 'in', 'ne', 'exists'],
  id: ['eq', 'in', 'ne', 'exists'],
  enum: ['eq', 'in', 'ne', 'exists'],
  number: ['eq', 'in', 'ne', 'gt', 'gte', 'lt', 'lte', 'exists'],
  integer: ['eq', 'in', 'ne', 'gt', 'gte', 'lt', 'lte', 'exists'],
  datetime: ['eq', 'in', 'ne', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['eq', 'exists'],
  'id-array': ['contains', 'exists'],
  'string-array': ['contains', 'exists']
}

const RESERVED = new Set(['limit', 'cursor', 'sort', 'search', 'include_deleted', 'include_total', 'overdue'])

export function filterableFields (resource: ResourceDecl): FieldDecl[] {
  return allFields(resource).filter((f) => f.filterable && !f.aliasOf)
}

export function sortableFields (resource: ResourceDecl): FieldDecl[] {
  return allFields(resource).filter((f) => f.sortable && !f.aliasOf)
}

/**
 * An alias (control_ref, name, owner_id, next_review_date) filters and sorts as the field it
 * names: `control_ref=CC6.1` is `control_id=CC6.1`. Both names are one value (SPEC §3.3).
 */
function canonicalField (fields: Map<string, FieldDecl>, name: string): FieldDecl | undefined {
  const field = fields.get(name)
  return field?.aliasOf ? fields.get(field.aliasOf) : field
}

export function operatorsFor (field: FieldDecl): readonly FilterOp[] {
  return OPS_BY_KIND[field.kind] ?? []
}

export function parseListQuery (resource: ResourceDecl, query: Record<string, unknown>): ListQuery {
  const out: ListQuery = {
    limit: DEFAULT_LIMIT,
    sort: [],
    filters: [],
    search: null,
    includeDeleted: false,
    includeTotal: false,
    overdue: false,
    cursor: null
  }
  const fields = new Map(allFields(resource).map((f) => [f.name, f]))
  for (const [key, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') throw problem.invalidField(key, 'must be given once')
    if (RESERVED.has(key)) {
      applyReserved(resource, out, key, raw, fields)
      continue
    }
    const m = /^([a-z_]+)(?:\[([a-z]+)\])?$/.exec(key)
    const canonical = m ? canonicalField(fields, m[1]!) : undefined
    if (!m || !canonical || !canonical.filterable) throw problem.invalidField(key, 'is not a filterable field or a list parameter')
    // On an array field, `field=v` means contains (the only equality an array offers).
    const op = (m[2] ?? (canonical.kind.endsWith('-array') ? 'contains' : 'eq')) as FilterOp
    if (!operatorsFor(canonical).includes(op)) {
      throw problem.invalidField(key, `operator ${op} is not available for ${m[1]} (use ${operatorsFor(canonical).join(', ')})`)
    }
    out.filters.push({ field: canonical, op, value: parseFilterValue(key, canonical, op, raw) })
  }
  if (!out.sort.some((k) => k.field === 'id')) {
    if (out.sort.length === 0) out.sort.push({ field: 'created_at', desc: true })
    out.sort.push({ field: 'id', desc: out.sort[out.sort.length - 1]!.desc })
  }
  return out
}

function applyReserved (resource: ResourceDecl, out: ListQuery, key: string, raw: string, fields: Map<string, FieldDecl>): void {
  switch (key) {
    case 'limit': {
      const n = Number(raw)
      if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIMIT) throw problem.invalidField('limit', `must be an integer from 1 to ${MAX_LIMIT}`)
      out.limit = n
      return
    }
    case 'cursor':
      if (raw === '') throw problem.invalidField('cursor', 'must not be empty')
      out.cursor = raw
      return
    case 'sort': {
      const seen = new Set<string>()
      for (const part of raw.split(',')) {
        const desc = part.startsWith('-')
        const name = desc ? part.slice(1) : part
        const canonical = canonicalField(fields, name)
        if (!canonical || !canonical.sortable) throw problem.invalidField('sort', `cannot sort by ${JSON.stringify(name)}`)
        if (seen.has(canonical.name)) throw problem.invalidField('sort', `${name} is given twice`)
        seen.add(canonical.name)
        out.sort.push({ field: canonical.name, desc })
      }
      return
    }
    case 'search':
      out.search = parseSearch(raw)
      return
    case 'include_deleted':
      out.includeDeleted = parseBool(key, raw)
      return
    case 'include_total':
      out.includeTotal = parseBool(key, raw)
      return
    case 'overdue':
      if (resource.name !== 'vulnerability') throw problem.invalidField('overdue', 'is only available on vulnerabilities')
      out.overdue = parseBool(key, raw)
  }
}

function parseBool (key: string, raw: string): boolean {
  if (raw === 'true') return true
  if (raw === 'false') return false
  throw problem.invalidField(key, 'must be true or false')
}

function parseFilterValue (key: string, field: FieldDecl, op: FilterOp, raw: string): unknown {
  if (op === 'exists') return parseBool(key, raw)
  if (op === 'in') {
    const parts = raw.split(',')
    if (parts.length > 100) throw problem.invalidField(key, 'takes at most 100 values')
    return parts.map((p) => parseScalar(key, field, p))
  }
  return parseScalar(key, field, raw)
}

function parseScalar (key: string, field: FieldDecl, raw: string): unknown {
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const pattern = field.kind === 'integer' ? /^-?\d{1,15}$/ : /^-?\d{1,15}(\.\d{1,15})?$/
      if (!pattern.test(raw)) throw problem.invalidField(key, `must be a${field.kind === 'integer' ? 'n integer' : ' number'} (e.g. 7 or 7.5)`)
      return Number(raw)
    }
    case 'datetime':
      if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw) || Number.isNaN(Date.parse(raw))) {
        throw problem.invalidField(key, 'must be an RFC 3339 date-time (or a date)')
      }
      return normalizeTimestamp(raw.length === 10 ? `${raw}T00:00:00Z` : raw)
    case 'enum':
      if (!field.enum!.includes(raw)) throw problem.invalidField(key, `must be one of ${field.enum!.join(', ')}`)
      return raw
    case 'boolean':
      return parseBool(key, raw)
    default:
      if (raw.length > (field.maxLength ?? 255)) throw problem.invalidField(key, 'is too long')
      return raw
  }
}
