import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import type { TestApp, TokenOptions } from './app.ts'

// Helpers of the rule suites: create a record, take a snapshot of a record and its history, and
// check that a rejected write left every record it could have touched exactly as it was.

export const API = '/api/v1'

/** A token with read and write but without risk:accept. */
export const NO_ACCEPT = 'risk:read risk:write'

export type Json = Record<string, any>

export class RecordClient {
  readonly t: TestApp
  readonly as: TokenOptions

  constructor (t: TestApp, as: TokenOptions = {}) {
    this.t = t
    this.as = as
  }

  async call (method: string, url: string, body?: unknown, as: TokenOptions = {}): Promise<LightMyRequestResponse> {
    return await this.t.call(method, `${API}/${url}`, { ...(body === undefined ? {} : { body }), as: { ...this.as, ...as } })
  }

  async create (path: string, body: Json = {}, as: TokenOptions = {}): Promise<Json> {
    const res = await this.call('POST', path, body, as)
    assert.equal(res.statusCode, 201, res.body)
    return res.json()
  }

  async get (path: string, id: string): Promise<Json> {
    const res = await this.call('GET', `${path}/${id}`)
    assert.equal(res.statusCode, 200, res.body)
    return res.json()
  }

  /** A successful PATCH, returning the record. */
  async patch (path: string, id: string, body: Json, as: TokenOptions = {}): Promise<Json> {
    const res = await this.call('PATCH', `${path}/${id}`, body, as)
    assert.equal(res.statusCode, 200, res.body)
    return res.json()
  }

  /** Every history entry of a record, newest first (walking every page). */
  async history (path: string, id: string): Promise<Json[]> {
    const out: Json[] = []
    let cursor: string | null = null
    do {
      const res: LightMyRequestResponse = await this.call('GET', `${path}/${id}/history?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      assert.equal(res.statusCode, 200, res.body)
      out.push(...res.json().data)
      cursor = res.json().next_cursor
    } while (cursor)
    return out
  }

  async snapshot (path: string, id: string): Promise<{ record: Json, etag: unknown, history: Json[] }> {
    const res = await this.call('GET', `${path}/${id}`)
    assert.equal(res.statusCode, 200, res.body)
    return { record: res.json(), etag: res.headers.etag, history: await this.history(path, id) }
  }

  /** Ids of every record of a resource this client sees, deleted ones included. */
  async ids (path: string): Promise<string[]> {
    const res = await this.call('GET', `${path}?limit=200&include_deleted=true`)
    assert.equal(res.statusCode, 200, res.body)
    return res.json().data.map((r: Json) => r.id).sort()
  }

  /**
   * Runs a write that must be refused with `status` (and `field` named in `errors`), and checks
   * that the records in `untouched` (path, id) and their histories are exactly as before, and
   * that no record appeared in `noNewIn`.
   */
  async rejects (
    write: () => Promise<LightMyRequestResponse>,
    expected: { status: number, code?: string, field?: string },
    untouched: Array<[string, string]> = [],
    noNewIn: string[] = []
  ): Promise<Json> {
    const before = await Promise.all(untouched.map(async ([path, id]) => await this.snapshot(path, id)))
    const counts = await Promise.all(noNewIn.map(async (path) => await this.ids(path)))
    const res = await write()
    assert.equal(res.statusCode, expected.status, res.body)
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
    const problem = res.json()
    if (expected.code) assert.equal(problem.code, expected.code)
    if (expected.field) assert.ok(problem.errors?.some((e: Json) => e.field === expected.field), `errors name ${expected.field}: ${res.body}`)
    const after = await Promise.all(untouched.map(async ([path, id]) => await this.snapshot(path, id)))
    assert.deepEqual(after, before, 'a rejected write changed a record or its history')
    assert.deepEqual(await Promise.all(noNewIn.map(async (path) => await this.ids(path))), counts, 'a rejected write created a record')
    return problem
  }
}

export function daysAfter (timestamp: string, days: number): string {
  return new Date(Date.parse(timestamp) + days * 86_400_000).toISOString()
}
