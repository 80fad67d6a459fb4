import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { problem } from '../errors.ts'

// Cursors are opaque and tamper-evident (AIP-158): base64url JSON of the last row's sort values,
// bound to the query (and caller) that produced them by a hash, sealed with an HMAC whose key is
// kept in the database (server_secrets), so every instance on that database accepts them.

export interface CursorPayload {
  /** Sort-key values of the last row of the page, in sort order (the id last). */
  after: unknown[]
  /** Hash of the query the cursor belongs to. */
  query: string
  /** Extra state a query may need to stay stable across pages (e.g. the walk's start time). */
  state?: Record<string, unknown>
}

export function queryHash (parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22)
}

export function sealCursor (key: string, payload: CursorPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${sign(key, body)}`
}

export function openCursor (key: string, cursor: string, expectedQuery: string): CursorPayload {
  const [body, mac, extra] = cursor.split('.')
  if (!body || !mac || extra !== undefined) throw badCursor()
  const expected = Buffer.from(sign(key, body))
  const given = Buffer.from(mac)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw badCursor()
  let payload: CursorPayload
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw badCursor()
  }
  if (!payload || !Array.isArray(payload.after) || payload.query !== expectedQuery) {
    throw problem.invalidField('cursor', 'belongs to another query: repeat the same filters, sort and search as the page it came from')
  }
  return payload
}

function sign (key: string, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url')
}

function badCursor () {
  return problem.invalidField('cursor', 'is not a cursor this service issued')
}
