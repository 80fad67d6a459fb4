import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Database } from '../store/database.ts'
import type { StoreContext } from '../store/record-store.ts'
import {
  completeKey, deleteExpiredKey, findKey, purgeExpiredKeys, releaseKey, reserveKey, takeOverKey
} from '../store/idempotency-store.ts'
import type { KeyScope, StoredResponse } from '../store/idempotency-store.ts'
import { toTimestamp } from '../records/time.ts'
import { ProblemError, problem } from '../errors.ts'

// Idempotency-Key on POST (SPEC §6; draft-ietf-httpapi-idempotency-key-header, as Stripe does it).
// preHandler: look the key up — replay a completed response byte for byte, 422 for another body,
// 409 while in flight — or reserve it. The route then completes the reservation with the response
// inside the write's transaction (`completeIdempotentWrite`), so "written" and "response stored"
// commit together. A request that ends without a committed write releases its reservation.

export interface IdempotencySettings {
  /** How long a completed response is replayed (SPEC: 24 h). */
  ttlMs: number
  /** How long an in-flight reservation blocks others before it counts as abandoned. */
  leaseMs: number
  /** How often expired keys are purged. */
  purgeIntervalMs: number
}

export const IDEMPOTENCY_DEFAULTS: IdempotencySettings = {
  ttlMs: 24 * 3600_000,
  leaseMs: 60_000,
  purgeIntervalMs: 15 * 60_000
}

export const MAX_KEY_LENGTH = 255
/** Headers of the first response that a replay repeats (the body is stored as its exact bytes). */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location']

interface Reservation {
  scope: KeyScope
  lockToken: string
  done: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Reservation
  }
}

export function registerIdempotency (
  app: FastifyInstance, database: Database, now: () => Date, settings: IdempotencySettings = IDEMPOTENCY_DEFAULTS
): void {
  const db = database.kysely

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.routeOptions.config?.scope) return
    const header = request.headers['idempotency-key']
    if (header === undefined) return
    const key = String(header)
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw problem.invalidField('Idempotency-Key', `must be 1 to ${MAX_KEY_LENGTH} characters`)
    }
    const scope: KeyScope = {
      tenantId: request.caller.tenantId,
      caller: callerScope(request.caller.sub, request.caller.appId),
      key
    }
    const fingerprint = fingerprintOf(request)
    const at = now()
    const values = {
      fingerprint,
      lockToken: randomUUID(),
      now: toTimestamp(at),
      expiresAt: toTimestamp(new Date(at.getTime() + settings.ttlMs))
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await reserveKey(db, scope, values)) {
        request.idempotency = { scope, lockToken: values.lockToken, done: false }
        return
      }
      const row = await findKey(db, scope)
      if (!row) continue
      if (row.expiresAt <= values.now) {
        await deleteExpiredKey(db, scope, values.now)
        continue
      }
      if (row.fingerprint !== fingerprint) {
        throw new ProblemError('idempotency_key_reused',
          'This Idempotency-Key was already used with a different request (method, path or body); use a new key.')
      }
      if (row.response) return replay(reply, row.response)
      const abandonedBefore = toTimestamp(new Date(at.getTime() - settings.leaseMs))
      if (row.lockedAt <= abandonedBefore && await takeOverKey(db, scope, row.lockToken, values)) {
        request.idempotency = { scope, lockToken: values.lockToken, done: false }
        return
      }
      throw problem.conflict('A request with this Idempotency-Key is still in flight; retry after it completes.')
    }
    throw problem.conflict('This Idempotency-Key is changing concurrently; retry.')
  })

  // A request that did not commit its write frees its key, so a retry runs afresh (nothing was
  // written: the write and the stored response commit together).
  app.addHook('onSend', async (request, _reply, payload) => {
    const reservation = request.idempotency
    if (reservation && !reservation.done) {
      reservation.done = true
      await releaseKey(db, reservation.scope, reservation.lockToken).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not release an idempotency key; its lease will expire')
      })
    }
    return payload
  })

  const timer = setInterval(() => {
    purgeExpiredKeys(db, toTimestamp(now())).catch((error: unknown) => app.log.warn({ err: error }, 'idempotency purge failed'))
  }, settings.purgeIntervalMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}

/**
 * Called by a POST route inside its write transaction with the response it is about to send:
 * stores it against the request's key (when it has one). Throws when the reservation was taken
 * over meanwhile, which rolls the write back.
 */
export async function completeIdempotentWrite (request: FastifyRequest, ctx: StoreContext, response: StoredResponse): Promise<void> {
  const reservation = request.idempotency
  if (!reservation) return
  const headers: Record<string, string> = {}
  for (const name of REPLAYED_HEADERS) if (response.headers[name] !== undefined) headers[name] = response.headers[name]!
  if (!await completeKey(ctx.db, reservation.scope, reservation.lockToken, { ...response, headers })) {
    throw problem.conflict('This request outlived its Idempotency-Key reservation; retry it.')
  }
}

/** After the write committed: the reservation is completed, nothing to release. */
export function markIdempotentWriteDone (request: FastifyRequest): void {
  if (request.idempotency) request.idempotency.done = true
}

function replay (reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).header('idempotent-replayed', 'true').send(response.body)
}

function fingerprintOf (request: FastifyRequest): string {
  return requestFingerprint(request.method, request.url, request.body ?? {})
}

/** A request's identity for key reuse: method, URL and the canonical JSON of the body. */
export function requestFingerprint (method: string, url: string, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([method, url, canonical(body)])).digest('base64url')
}

/** How a caller is written in the key's scope: its sub and, for integration tokens, its app. */
export function callerScope (sub: string, appId: string | null): string {
  return JSON.stringify([sub, appId])
}

/** The body with object keys sorted, so the same body in another key order is the same request. */
function canonical (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  // Sorted [key, value] pairs rather than a rebuilt object, so no key (e.g. `__proto__`) is special.
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])])
  }
  return value
}
