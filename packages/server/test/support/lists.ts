import assert from 'node:assert/strict'
import type { TestApp, TokenOptions } from './app.ts'

// Helpers for list tests: one page, or a whole cursor walk with a hook between pages.

export interface Page {
  data: Array<Record<string, any>>
  has_more: boolean
  next_cursor: string | null
  total?: number
}

export async function listPage (t: TestApp, url: string, as?: TokenOptions): Promise<Page> {
  const res = await t.call('GET', url, as ? { as } : {})
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
  const page = res.json() as Page
  assert.equal(page.has_more, page.next_cursor !== null)
  return page
}

export async function listIds (t: TestApp, url: string, as?: TokenOptions): Promise<string[]> {
  return (await listPage(t, url, as)).data.map((r) => r.id)
}

/** The first page of `url` holds exactly `ids`, in any order. */
export async function expectIds (t: TestApp, url: string, ids: string[]): Promise<void> {
  assert.deepEqual([...await listIds(t, url)].sort(), [...ids].sort(), url)
}

/** Walks every page of `url` (which must not carry a cursor); `between` runs after each page. */
export async function walk (
  t: TestApp, url: string, options: { as?: TokenOptions, between?: (page: number, seen: Array<Record<string, any>>) => Promise<void> } = {}
): Promise<Array<Record<string, any>>> {
  const seen: Array<Record<string, any>> = []
  let cursor: string | null = null
  for (let n = 0; n < 1000; n++) {
    const sep = url.includes('?') ? '&' : '?'
    const page = await listPage(t, cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url, options.as)
    seen.push(...page.data)
    if (!page.next_cursor) return seen
    cursor = page.next_cursor
    await options.between?.(n, seen)
  }
  throw new Error('walk did not end')
}

export async function create (t: TestApp, path: string, body: Record<string, unknown>, as?: TokenOptions): Promise<Record<string, any>> {
  const res = await t.call('POST', `/api/v1/${path}`, { body, ...(as ? { as } : {}) })
  assert.equal(res.statusCode, 201, res.body)
  return res.json()
}

export async function patch (t: TestApp, path: string, id: string, body: Record<string, unknown>, as?: TokenOptions): Promise<Record<string, any>> {
  const res = await t.call('PATCH', `/api/v1/${path}/${id}`, { body, ...(as ? { as } : {}) })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

/** Expects a 400 problem naming `param`. */
export async function expectBadParam (t: TestApp, url: string, param: string, as?: TokenOptions): Promise<void> {
  const res = await t.call('GET', url, as ? { as } : {})
  assert.equal(res.statusCode, 400, `${url}: ${res.statusCode} ${res.body}`)
  assert.match(String(res.headers['content-type']), /application\/problem\+json/)
  const body = res.json()
  assert.equal(body.code, 'invalid_request')
  assert.equal(body.errors?.[0]?.field, param, `${url}: ${res.body}`)
}
