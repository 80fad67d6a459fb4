import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Operation } from '../resources/fields.ts'
import type { RecordData, ResourceDecl } from '../resources/resource.ts'
import { RESOURCES } from '../resources/index.ts'
import type { Caller } from '../records/caller.ts'
import { SCOPES } from '../records/caller.ts'
import { etagOf } from '../records/operations.ts'
import type { RecordOperations, WriteOptions } from '../records/operations.ts'
import type { ListResult } from '../records/list-walk.ts'
import { withAliases } from '../records/input.ts'
import type { StoredRecord } from '../store/record-store.ts'
import { problem } from '../errors.ts'
import type { Authenticator } from './auth.ts'
import { completeIdempotentWrite, markIdempotentWriteDone } from './idempotency.ts'
import { historySchema, inputSchema, listSchema, problemSchema, recordSchema, resolveSchema } from './schemas.ts'

// The REST routes, built from the declarations: every resource gets the operations it declares,
// with its schemas, scopes and URL (SPEC §3).

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are public (health, docs). */
    scope?: string
  }
}

export const API_PREFIX = '/api/v1'

/** Which scope each operation needs (SPEC §2). */
export const OPERATION_SCOPE: Record<Operation, string> = {
  list: SCOPES.read,
  get: SCOPES.read,
  history: SCOPES.read,
  create: SCOPES.write,
  update: SCOPES.write,
  resolve: SCOPES.write,
  delete: SCOPES.write,
  restore: SCOPES.write
}

export interface RouteDeps {
  operations: RecordOperations
  authenticate: Authenticator
}

export function registerSchemas (app: FastifyInstance): void {
  for (const resource of RESOURCES) {
    app.addSchema(recordSchema(resource))
    app.addSchema(inputSchema(resource, 'create'))
    app.addSchema(inputSchema(resource, 'update'))
    app.addSchema(listSchema(resource))
  }
  app.addSchema(resolveSchema())
  app.addSchema(historySchema())
  app.addSchema(problemSchema())
}

export function serializeRecord (resource: ResourceDecl, record: StoredRecord): RecordData {
  return withAliases(resource, { ...record.data })
}

const JSON_TYPE = 'application/json; charset=utf-8'

function sendRecord (reply: FastifyReply, resource: ResourceDecl, record: StoredRecord, status = 200) {
  reply.code(status).header('etag', etagOf(record))
  // JSON the database built in the response shape goes out as it is (store/record-json.ts).
  if (record.json !== undefined) return reply.type(JSON_TYPE).send(record.json)
  return reply.send(serializeRecord(resource, record))
}

/** A list page whose records arrived as JSON text: the envelope is the only part built here. */
function listBody (result: ListResult): string {
  const total = result.total === undefined ? '' : `,"total":${result.total}`
  return `{"data":[${result.records.map((r) => r.json).join(',')}],"has_more":${result.nextCursor !== null},"next_cursor":${JSON.stringify(result.nextCursor)}${total}}`
}

function ifMatch (request: FastifyRequest): { ifMatch?: string } {
  const value = request.headers['if-match']
  return typeof value === 'string' ? { ifMatch: value } : {}
}

/**
 * A POST write (create, resolve, restore): the response bytes are produced inside the write's
 * transaction and stored there against the request's Idempotency-Key, then sent as they are, so a
 * replay is byte for byte the first response (SPEC §6).
 */
async function sendPostWrite (
  request: FastifyRequest, reply: FastifyReply, resource: ResourceDecl, status: number, base: string,
  write: (options: WriteOptions) => Promise<StoredRecord>
) {
  let response: { headers: Record<string, string>, body: string } | null = null
  await write({
    ...ifMatch(request),
    inTransaction: async (ctx, record) => {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', etag: etagOf(record) }
      if (status === 201) headers.location = `${base}/${record.data.id as string}`
      reply.code(status)
      const body = String(reply.serialize(serializeRecord(resource, record)))
      response = { headers, body }
      await completeIdempotentWrite(request, ctx, { status, headers, body })
    }
  })
  markIdempotentWriteDone(request)
  const { headers, body } = response!
  return reply.code(status).headers(headers).send(body)
}

const ID_PARAM = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 255 } },
  required: ['id']
}

export function registerRoutes (app: FastifyInstance, deps: RouteDeps): void {
  const { operations } = deps

  // Authentication and scope run before the body is parsed: an anonymous caller costs no parsing,
  // and gets 401/403 whatever it sent.
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope
    if (!scope) return
    request.caller = await deps.authenticate(request.headers.authorization)
    if (!request.caller.scopes.has(scope)) throw problem.forbidden(`This operation needs the ${scope} scope.`)
  })

  for (const resource of RESOURCES) {
    const base = `${API_PREFIX}/${resource.path}`
    const record = { $ref: `${resource.title}#` }
    const has = (op: Operation) => resource.operations.includes(op)
    const config = (op: Operation) => ({ scope: OPERATION_SCOPE[op] })

    if (has('list')) {
      app.get(base, { config: config('list'), schema: { response: { 200: { $ref: `${resource.title}List#` } } } }, async (request, reply) => {
        const result = await operations.list(resource, request.caller, request.query as Record<string, unknown>)
        if (result.records.every((r) => r.json !== undefined)) return reply.type(JSON_TYPE).send(listBody(result))
        return {
          data: result.records.map((r) => serializeRecord(resource, r)),
          has_more: result.nextCursor !== null,
          next_cursor: result.nextCursor,
          ...(result.total === undefined ? {} : { total: result.total })
        }
      })
    }
    if (has('create')) {
      app.post(base, {
        config: config('create'),
        schema: { body: { $ref: `${resource.title}Create#` }, response: { 201: record } }
      }, async (request, reply) => await sendPostWrite(request, reply, resource, 201, base,
        async (options) => await operations.create(resource, request.caller, request.body as RecordData, options)))
    }
    if (has('get')) {
      app.get(`${base}/:id`, { config: config('get'), schema: { params: ID_PARAM, response: { 200: record } } }, async (request, reply) => {
        const { id } = request.params as { id: string }
        return sendRecord(reply, resource, await operations.get(resource, request.caller, id))
      })
    }
    if (has('update')) {
      app.patch(`${base}/:id`, {
        config: config('update'),
        schema: { params: ID_PARAM, body: { $ref: `${resource.title}Patch#` }, response: { 200: record } }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        return sendRecord(reply, resource, await operations.update(resource, request.caller, id, request.body as RecordData, ifMatch(request)))
      })
    }
    if (has('delete')) {
      app.delete(`${base}/:id`, { config: config('delete'), schema: { params: ID_PARAM, response: { 200: record } } }, async (request, reply) => {
        const { id } = request.params as { id: string }
        return sendRecord(reply, resource, await operations.delete(resource, request.caller, id, ifMatch(request)))
      })
    }
    if (has('restore')) {
      app.post(`${base}/:id/restore`, { config: config('restore'), schema: { params: ID_PARAM, response: { 200: record } } }, async (request, reply) => {
        const { id } = request.params as { id: string }
        return await sendPostWrite(request, reply, resource, 200, base, async (options) => await operations.restore(resource, request.caller, id, options))
      })
    }
    if (has('resolve')) {
      app.post(`${base}/:id/resolve`, {
        config: config('resolve'),
        schema: { params: ID_PARAM, body: { $ref: 'VulnerabilityResolve#' }, response: { 200: record } }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        return await sendPostWrite(request, reply, resource, 200, base,
          async (options) => await operations.resolve(resource, request.caller, id, (request.body ?? {}) as RecordData, options))
      })
    }
    if (has('history')) {
      app.get(`${base}/:id/history`, { config: config('history'), schema: { params: ID_PARAM, response: { 200: { $ref: 'HistoryList#' } } } }, async (request) => {
        const { id } = request.params as { id: string }
        const result = await operations.history(resource, request.caller, id, request.query as Record<string, unknown>)
        return { data: result.entries, has_more: result.nextCursor !== null, next_cursor: result.nextCursor }
      })
    }
  }
}
