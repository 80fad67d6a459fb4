import type { FastifyInstance } from 'fastify'
import type { Operation } from '../resources/fields.ts'
import type { ResourceDecl } from '../resources/resource.ts'
import { RESOURCES } from '../resources/index.ts'
import { filterNames, operatorsFor, searchableColumns, sortableFields, DEFAULT_LIMIT, MAX_LIMIT } from '../records/list-query.ts'
import { API_PREFIX, OPERATION_SCOPE } from './routes.ts'
import { historySchema, inputSchema, listSchema, problemSchema, recordSchema, resolveSchema, valueSchema } from './schemas.ts'

// The OpenAPI 3.1 document, generated from the same declarations and JSON Schemas the routes
// use, so it cannot drift from what the service validates and returns. (Generated directly
// rather than through @fastify/swagger: the list's bracket filters and the shared problem
// responses are derived from the declarations, which the route schemas alone do not carry.)

type Schema = Record<string, unknown>

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

/** Fastify's `$id`/`Name#` references → OpenAPI component references. */
function toComponent (schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema, (key, value) => {
    if (key === '$id') return undefined
    if (key === '$ref' && typeof value === 'string' && value.endsWith('#')) return `#/components/schemas/${value.slice(0, -1)}`
    return value
  }))
}

const ERROR_RESPONSES: Record<string, string> = {
  400: 'Invalid request: malformed JSON, wrong type, bad enum value, unknown field or bad query.',
  401: 'Token missing, invalid or expired.',
  403: 'The token lacks the scope this operation needs.',
  404: 'No such record for this caller.',
  409: 'Conflict: duplicate unique fields, a write to a deleted record, or an idempotency key in flight.',
  412: 'If-Match does not match the current ETag.',
  413: 'Body over 1 MiB.',
  414: 'URL over 8 KiB, or a path parameter over 256 characters.',
  415: 'The body is not JSON.',
  422: 'A domain rule failed (justification, unknown linked id, alias mismatch, CVSS score against vector, idempotency key reused).',
  429: "Over the tenant's rate; see Retry-After.",
  503: 'The database is unreachable; retry.'
}

const WRITES_BODY = new Set<Operation>(['create', 'update', 'resolve'])

function errorResponses (op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    if (status === '412' && !['update', 'delete', 'restore', 'resolve'].includes(op)) continue
    if ((status === '413' || status === '415') && !WRITES_BODY.has(op)) continue
    if (status === '404' && (op === 'list' || op === 'create')) continue
    const headers = status === '429' ? successHeaders(RETRY_AFTER_HEADER) : successHeaders()
    out[status] = { description, headers, content: { 'application/problem+json': { schema: ref('Problem') } } }
  }
  return out
}

const ETAG_HEADER = { ETag: { description: 'The record version; send it back in If-Match.', schema: { type: 'string' } } }
const REQUEST_ID_HEADER = { 'x-request-id': { description: 'The request id (also in problem bodies and logs).', schema: { type: 'string' } } }
// The IETF RateLimit header fields draft (http/rate-limit.ts), on every authenticated response
// while the service runs with a rate limit.
const RATE_LIMIT_HEADERS = {
  'RateLimit-Policy': { description: 'The tenant\'s limit: `<burst>;w=<seconds to refill>`.', schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests the tenant may make in a burst.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current burst.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the burst is whole again.', schema: { type: 'integer' } }
}
const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } }
const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': { description: '`true` when this is the stored response to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } }
}

/** A response's headers: the request id and the rate-limit state (once the caller is known), and any others. */
function successHeaders (extra: Schema = {}): Schema {
  return { ...REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS, ...extra }
}

function recordResponse (resource: ResourceDecl, description: string, extraHeaders: Schema = {}) {
  return {
    description,
    headers: successHeaders({ ...ETAG_HEADER, ...extraHeaders }),
    content: { 'application/json': { schema: ref(resource.title) } }
  }
}

const ID_PARAM = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The record id.' }
const IF_MATCH = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'Only write when the record still has this ETag (else 412).' }
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 255 },
  description: 'Repeat the POST safely: the same key with the same body within 24 h replays the first response.'
}

function listParameters (resource: ResourceDecl): Schema[] {
  const params: Schema[] = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, description: 'Page size.' },
    { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'The next_cursor of the previous page (opaque, bound to this query, valid 24 h). A walk returns the records as they were when its first page was read, each once.' },
    {
      name: 'sort',
      in: 'query',
      schema: { type: 'string', default: '-created_at' },
      description: `Comma-separated fields, "-" for descending; ties broken by id. NULLs sort last ascending (first descending), enums by rank, text by code point. Sortable: ${sortableFields(resource).map((f) => f.name).join(', ')}.`,
      // Machine-readable for generated clients (the SDK types sort keys from it).
      'x-sortable-fields': sortableFields(resource).map((f) => f.name)
    },
    {
      name: 'search',
      in: 'query',
      schema: { type: 'string', maxLength: 500 },
      description: `Case-insensitive full-text match of every word over ${searchableColumns(resource).join(', ')}. Text is cut at every character that is not a letter or digit; a word of several parts (CVE-2024-3094, A.9.2.1) matches them as a phrase. Whole words, no stemming.`
    },
    { name: 'include_deleted', in: 'query', schema: { type: 'boolean', default: false }, description: 'Include soft-deleted records.' },
    { name: 'include_total', in: 'query', schema: { type: 'boolean', default: false }, description: 'Add `total`, the count of all matches.' }
  ]
  if (resource.name === 'vulnerability') {
    params.push({ name: 'overdue', in: 'query', schema: { type: 'boolean' }, description: 'Only active vulnerabilities whose due_date has passed.' })
  }
  for (const { name: fieldName, field } of filterNames(resource)) {
    for (const op of operatorsFor(field)) {
      const name = op === 'eq' ? fieldName : `${fieldName}[${op}]`
      let schema: Schema
      if (op === 'exists') schema = { type: 'boolean' }
      else if (op === 'in') schema = { type: 'string', description: 'Comma-separated values.' }
      else if (op === 'contains') schema = { type: 'string' }
      else schema = valueSchema(field)
      const alias = fieldName === field.name ? '' : ` (${fieldName} is another name for ${field.name})`
      params.push({ name, in: 'query', required: false, schema, description: `Filter: ${field.name} ${op}${alias}.` })
    }
  }
  return params
}

function operationDoc (resource: ResourceDecl, op: Operation): Schema {
  const tag = resource.title
  const security = [{ bearerAuth: [OPERATION_SCOPE[op]] }]
  const common = { tags: [tag], security, 'x-required-scope': OPERATION_SCOPE[op], 'x-sdk-method': `client.risk.${resource.sdkName}.${op}` }
  const json = (schema: Schema) => ({ required: false, content: { 'application/json': { schema } } })
  switch (op) {
    case 'list':
      return {
        ...common,
        operationId: `list${resource.title}s`,
        summary: `List ${resource.title} records`,
        description: 'Returns only your records (tenant, and app when your token has one), newest first by default.',
        parameters: listParameters(resource),
        responses: { 200: { description: 'A page of records.', headers: successHeaders(), content: { 'application/json': { schema: ref(`${resource.title}List`) } } }, ...errorResponses(op) }
      }
    case 'get':
      return {
        ...common,
        operationId: `get${resource.title}`,
        summary: `Get a ${resource.title}`,
        description: 'Soft-deleted records are returned too.',
        parameters: [ID_PARAM],
        responses: { 200: recordResponse(resource, 'The record.'), ...errorResponses(op) }
      }
    case 'create':
      return {
        ...common,
        operationId: `create${resource.title}`,
        summary: `Create a ${resource.title}`,
        parameters: [IDEMPOTENCY_KEY],
        requestBody: json(ref(`${resource.title}Create`)),
        responses: { 201: recordResponse(resource, 'Created.', { Location: { schema: { type: 'string' }, description: 'The new record\'s URL.' }, ...IDEMPOTENT_REPLAYED_HEADER }), ...errorResponses(op) }
      }
    case 'update':
      return {
        ...common,
        operationId: `update${resource.title}`,
        summary: `Update a ${resource.title} (merge patch)`,
        parameters: [ID_PARAM, IF_MATCH],
        requestBody: {
          required: true,
          content: {
            'application/merge-patch+json': { schema: ref(`${resource.title}Patch`) },
            'application/json': { schema: ref(`${resource.title}Patch`) }
          }
        },
        responses: { 200: recordResponse(resource, 'The updated record.'), ...errorResponses(op) }
      }
    case 'resolve':
      return {
        ...common,
        operationId: `resolve${resource.title}`,
        summary: `Resolve a ${resource.title}`,
        parameters: [ID_PARAM, IF_MATCH, IDEMPOTENCY_KEY],
        requestBody: json(ref('VulnerabilityResolve')),
        responses: { 200: recordResponse(resource, 'The resolved record.', IDEMPOTENT_REPLAYED_HEADER), ...errorResponses(op) }
      }
    case 'delete':
      return {
        ...common,
        operationId: `delete${resource.title}`,
        summary: `Delete a ${resource.title} (soft)`,
        parameters: [ID_PARAM, IF_MATCH],
        responses: { 200: recordResponse(resource, 'The record, with is_deleted true.'), ...errorResponses(op) }
      }
    case 'restore':
      return {
        ...common,
        operationId: `restore${resource.title}`,
        summary: `Restore a deleted ${resource.title}`,
        parameters: [ID_PARAM, IF_MATCH, IDEMPOTENCY_KEY],
        responses: { 200: recordResponse(resource, 'The restored record.', IDEMPOTENT_REPLAYED_HEADER), ...errorResponses(op) }
      }
    case 'history':
      return {
        ...common,
        operationId: `get${resource.title}History`,
        summary: `History of a ${resource.title}`,
        description: 'Every change, newest first, paginated like lists.',
        parameters: [ID_PARAM,
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } }],
        responses: { 200: { description: 'Changes, newest first.', headers: successHeaders(), content: { 'application/json': { schema: ref('HistoryList') } } }, ...errorResponses(op) }
      }
  }
}

const PATHS: Record<Operation, { suffix: string, method: string }> = {
  list: { suffix: '', method: 'get' },
  create: { suffix: '', method: 'post' },
  get: { suffix: '/{id}', method: 'get' },
  update: { suffix: '/{id}', method: 'patch' },
  delete: { suffix: '/{id}', method: 'delete' },
  restore: { suffix: '/{id}/restore', method: 'post' },
  resolve: { suffix: '/{id}/resolve', method: 'post' },
  history: { suffix: '/{id}/history', method: 'get' }
}

export function buildOpenApiDocument (): Schema {
  const schemas: Record<string, Schema> = {}
  const paths: Record<string, Record<string, Schema>> = {}
  for (const resource of RESOURCES) {
    schemas[resource.title] = toComponent(recordSchema(resource))
    schemas[`${resource.title}Create`] = toComponent(inputSchema(resource, 'create'))
    schemas[`${resource.title}Patch`] = toComponent(inputSchema(resource, 'update'))
    schemas[`${resource.title}List`] = toComponent(listSchema(resource))
    for (const op of resource.operations) {
      const { suffix, method } = PATHS[op]
      const path = `${API_PREFIX}/${resource.path}${suffix}`
      paths[path] ??= {}
      paths[path][method] = operationDoc(resource, op)
    }
  }
  schemas.VulnerabilityResolve = toComponent(resolveSchema())
  schemas.HistoryList = toComponent(historySchema())
  schemas.Problem = toComponent(problemSchema())
  return {
    openapi: '3.1.0',
    info: {
      title: 'Posture API',
      version: '1.0.0',
      description: 'Risk & Compliance: vulnerabilities, compliance controls and risk items the organisation is tracking.',
      'x-cpod-domain': 'risk_compliance'
    },
    servers: [{ url: '/' }],
    tags: RESOURCES.map((r) => ({ name: r.title, description: r.description, 'x-rest-path': `${API_PREFIX}/${r.path}`, 'x-sdk': `client.risk.${r.sdkName}` })),
    // The seed's domain (Redoc's x-tagGroups convention): the explorer's domain page is built from it.
    'x-tagGroups': [{
      name: 'Risk & Compliance',
      description: 'Vulnerabilities, controls, and risk items the org is tracking.',
      'x-cpod-domain': 'risk_compliance',
      'x-sdk': 'client.risk',
      tags: RESOURCES.map((r) => r.title)
    }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT with sub, tenant_id, exp and scope (risk:read, risk:write, risk:accept).' }
      }
    },
    security: [{ bearerAuth: [] }]
  }
}

export function registerOpenApi (app: FastifyInstance): void {
  const document = buildOpenApiDocument()
  app.get('/openapi.json', async () => document)
}
