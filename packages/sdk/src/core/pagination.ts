import { APIPromise } from './api-promise.ts'
import type { RawResponse } from './api-promise.ts'

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
    this.hasMore = body.has_more && body.next_cursor !== null
    this.nextCursor = body.next_cursor
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
    super(raw, ({ body }) => new Page(body as ListBody<T>, load))
  }

  /** `for await (const record of client.vulnerabilities.list(...))` walks every page. */
  async * [Symbol.asyncIterator] (): AsyncGenerator<T, void, undefined> {
    yield * await this
  }
}
