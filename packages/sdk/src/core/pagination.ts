import { APIPromise } from './api-promise.ts'
import type { RawResponse } from './api-promise.ts'
import { PostureError } from './errors.ts'

// Cursor pages (SPEC §4): `{ data, has_more, next_cursor, total? }`. A page knows how to fetch
// the next one with the same query; a PagePromise is both awaitable (the first page) and async
// iterable (every record of every page), like openai-node's.

interface ListBody<T> {
  data: T[]
  has_more: boolean
  next_cursor: string | null
  total?: number
}

/** Fetches the page after `cursor` with the query and options of the first call. */
export type PageLoader<T> = (cursor: string) => PagePromise<T>

export class Page<T> implements AsyncIterable<T> {
  /** The records of this page. */
  readonly data: T[]
  readonly hasMore: boolean
  /** Pass as `cursor` to continue from here; null on the last page. */
  readonly nextCursor: string | null
  /** The count of all matches; present when the list was called with `include_total: true`. */
  readonly total?: number
  readonly #load: PageLoader<T>

  constructor (body: ListBody<T>, load: PageLoader<T>) {
    this.data = body.data
    this.nextCursor = typeof body.next_cursor === 'string' ? body.next_cursor : null
    this.hasMore = body.has_more === true && this.nextCursor !== null
    if (typeof body.total === 'number') this.total = body.total
    this.#load = load
  }

  /** The next page, or null when this is the last one. */
  async nextPage (): Promise<Page<T> | null> {
    if (!this.hasMore || this.nextCursor === null) return null
    return await this.#load(this.nextCursor)
  }

  /** This page and every page after it. */
  async * iterPages (): AsyncGenerator<Page<T>, void, undefined> {
    let page: Page<T> | null = this
    while (page) {
      yield page
      page = await page.nextPage()
    }
  }

  /** Every record of this page and the pages after it, fetching pages as needed. */
  async * [Symbol.asyncIterator] (): AsyncGenerator<T, void, undefined> {
    for await (const page of this.iterPages()) yield * page.data
  }
}

export class PagePromise<T> extends APIPromise<Page<T>> implements AsyncIterable<T> {
  constructor (raw: Promise<RawResponse>, load: PageLoader<T>) {
    super(raw, ({ response, body }) => {
      if (!Array.isArray((body as ListBody<T> | undefined)?.data)) throw new PostureError(`Expected a page of records in the ${response.status} response, got ${JSON.stringify(body)}.`)
      return new Page(body as ListBody<T>, load)
    })
  }

  /** `for await (const record of client.vulnerabilities.list(...))` walks every page. */
  async * [Symbol.asyncIterator] (): AsyncGenerator<T, void, undefined> {
    yield * await this
  }
}
