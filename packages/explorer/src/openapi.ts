// The slice of OpenAPI 3.1 the explorer reads, and the model it derives from GET /openapi.json:
// domains, resources, operations and fields. Nothing about the API is written into the explorer;
// a field or operation added to a declaration shows up here on the next page load.

export interface Schema {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  description?: string
  readOnly?: boolean
  maxLength?: number
  minimum?: number
  maximum?: number
  pattern?: string
  default?: unknown
  examples?: unknown[]
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  maxItems?: number
}

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  description?: string
  schema: Schema
}

interface RawOperation {
  tags?: string[]
  summary?: string
  description?: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: Schema }> }
  'x-sdk-method'?: string
  'x-required-scope'?: string
}

export interface OpenApiDocument {
  info: { title: string, description?: string, 'x-cpod-domain'?: string }
  tags?: Array<{ name: string, description?: string, 'x-rest-path'?: string, 'x-sdk'?: string }>
  'x-tagGroups'?: Array<{ name: string, description?: string, 'x-cpod-domain'?: string, 'x-sdk'?: string, tags: string[] }>
  paths: Record<string, Record<string, RawOperation>>
  components: { schemas: Record<string, Schema> }
}

export type ValueKind = 'string' | 'text' | 'enum' | 'number' | 'integer' | 'boolean' | 'datetime' | 'string-list' | 'json'

export interface Field {
  name: string
  kind: ValueKind
  /** What the field table shows: enum, date-time, string, number, id list, json… */
  typeLabel: string
  description: string
  enumValues: string[]
  nullable: boolean
  /** Always present and never null in a record (the seed's `*`). */
  required: boolean
  readOnly: boolean
  schema: Schema
}

export interface Filter {
  field: string
  /** Operators as the list query spells them: eq, in, ne, gt, gte, lt, lte, exists, contains. */
  operators: string[]
  /** The value schema of the equality filter (enum values, number, date-time…). */
  schema: Schema
}

export interface Operation {
  /** list, get, create, update, resolve, delete, restore, history. */
  name: string
  method: string
  path: string
  sdkMethod: string
  scope: string
  summary: string
  description: string
  parameters: Parameter[]
  /** The request body's fields, when the operation takes one. */
  body: Field[] | null
  bodyContentTypes: string[]
  /** List only: filters derived from the `field[op]` query parameters. */
  filters: Filter[]
}

export interface Resource {
  title: string
  description: string
  restPath: string
  /** The URL segment the explorer routes by: `vulnerabilities`. */
  key: string
  /** `client.risk.vulnerabilities` */
  sdk: string
  operations: Operation[]
  fields: Field[]
}

export interface Domain {
  id: string
  title: string
  description: string
  /** `client.risk` */
  sdk: string
  resources: Resource[]
}

/** The order operations read in, as in the seed (list get create update resolve) then the rest. */
export const OPERATION_ORDER = ['list', 'get', 'create', 'update', 'resolve', 'delete', 'restore', 'history']

export function resolveRef (doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema
  const name = schema.$ref.replace('#/components/schemas/', '')
  return doc.components.schemas[name]
}

function types (schema: Schema): string[] {
  return schema.type === undefined ? [] : [schema.type].flat()
}

export function valueKind (schema: Schema): ValueKind {
  const t = types(schema).filter((x) => x !== 'null')
  if (schema.enum) return 'enum'
  if (t.includes('array')) return schema.items?.type === 'string' ? 'string-list' : 'json'
  if (t.includes('object')) return 'json'
  if (t.includes('integer')) return 'integer'
  if (t.includes('number')) return 'number'
  if (t.includes('boolean')) return 'boolean'
  if (schema.format === 'date-time') return 'datetime'
  if (t.includes('string')) return (schema.maxLength ?? 0) > 1000 ? 'text' : 'string'
  return 'json'
}

function typeLabel (kind: ValueKind, schema: Schema): string {
  switch (kind) {
    case 'text': return 'string'
    case 'datetime': return 'date-time'
    case 'string-list': return 'string[]'
    case 'json': return types(schema).includes('array') ? 'json array' : 'json object'
    default: return kind
  }
}

export function toField (name: string, schema: Schema, requiredNames: Set<string>): Field {
  const kind = valueKind(schema)
  const nullable = types(schema).includes('null')
  return {
    name,
    kind,
    typeLabel: typeLabel(kind, schema),
    description: schema.description ?? '',
    enumValues: (schema.enum ?? []).filter((v): v is string => typeof v === 'string'),
    nullable,
    required: requiredNames.has(name) && !nullable,
    readOnly: schema.readOnly === true,
    schema
  }
}

function fieldsOf (schema: Schema | undefined): Field[] {
  if (!schema?.properties) return []
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).map(([name, s]) => toField(name, s, required))
}

const FILTER_PARAM = /^([a-z0-9_]+)(?:\[([a-z]+)\])?$/

function filtersOf (parameters: Parameter[]): Filter[] {
  const byField = new Map<string, Filter>()
  for (const p of parameters) {
    if (p.in !== 'query' || !p.description?.startsWith('Filter:')) continue
    const match = FILTER_PARAM.exec(p.name)
    if (!match) continue
    const [, field, op = 'eq'] = match
    const filter = byField.get(field!) ?? { field: field!, operators: [], schema: {} }
    filter.operators.push(op)
    if (op === 'eq') filter.schema = p.schema
    byField.set(field!, filter)
  }
  return [...byField.values()]
}

function operationOf (doc: OpenApiDocument, path: string, method: string, raw: RawOperation, readOnly: Set<string>): Operation {
  const sdkMethod = raw['x-sdk-method'] ?? ''
  const content = raw.requestBody?.content ?? {}
  const contentTypes = Object.keys(content)
  const bodySchema = contentTypes.length > 0 ? resolveRef(doc, content[contentTypes[0]!]!.schema) : undefined
  // Server-set fields are accepted and ignored in bodies; a form offers only what a caller sets.
  const body = bodySchema ? fieldsOf(bodySchema).filter((f) => !readOnly.has(f.name) && f.schema.type !== undefined) : null
  const parameters = raw.parameters ?? []
  return {
    name: sdkMethod.split('.').pop() ?? method,
    method: method.toUpperCase(),
    path,
    sdkMethod,
    scope: raw['x-required-scope'] ?? '',
    summary: raw.summary ?? '',
    description: raw.description ?? '',
    parameters: parameters.filter((p) => !p.description?.startsWith('Filter:')),
    body,
    bodyContentTypes: contentTypes,
    filters: filtersOf(parameters)
  }
}

export function buildDomains (doc: OpenApiDocument): Domain[] {
  const resources: Resource[] = []
  for (const tag of doc.tags ?? []) {
    const record = doc.components.schemas[tag.name]
    const fields = fieldsOf(record)
    const readOnly = new Set(fields.filter((f) => f.readOnly).map((f) => f.name))
    const operations: Operation[] = []
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(methods)) {
        if (raw.tags?.includes(tag.name) && raw['x-sdk-method']) operations.push(operationOf(doc, path, method, raw, readOnly))
      }
    }
    operations.sort((a, b) => OPERATION_ORDER.indexOf(a.name) - OPERATION_ORDER.indexOf(b.name))
    const restPath = tag['x-rest-path'] ?? ''
    resources.push({
      title: tag.name,
      description: tag.description ?? record?.description ?? '',
      restPath,
      key: restPath.split('/').pop() ?? tag.name,
      sdk: tag['x-sdk'] ?? '',
      operations,
      fields
    })
  }
  // In forms, a resource's own fields come first and the base every record starts with (source,
  // source_type…: the common prefix of the record schemas) after them.
  const names = resources.map((r) => r.fields.map((f) => f.name))
  const base = (names[0] ?? []).filter((name, i) => names.every((list) => list.slice(0, i + 1).every((n, j) => n === names[0]![j])))
  const shared = new Set(base)
  for (const resource of resources) {
    for (const op of resource.operations) {
      if (op.body) op.body = [...op.body.filter((f) => !shared.has(f.name)), ...op.body.filter((f) => shared.has(f.name))]
    }
  }
  const groups = doc['x-tagGroups'] ?? [{ name: doc.info.title, description: doc.info.description, tags: resources.map((r) => r.title) }]
  return groups.map((group) => {
    const members = resources.filter((r) => group.tags.includes(r.title))
    return {
      id: group['x-cpod-domain'] ?? doc.info['x-cpod-domain'] ?? '',
      title: group.name,
      description: group.description ?? '',
      sdk: group['x-sdk'] ?? commonPrefix(members.map((r) => r.sdk)),
      resources: members
    }
  })
}

function commonPrefix (paths: string[]): string {
  const parts = paths.map((p) => p.split('.'))
  const first = parts[0] ?? []
  const shared: string[] = []
  for (let i = 0; i < first.length; i++) {
    if (parts.every((p) => p[i] === first[i])) shared.push(first[i]!)
    else break
  }
  return shared.join('.')
}
