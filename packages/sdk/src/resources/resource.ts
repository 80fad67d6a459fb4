import { APIPromise } from '../core/api-promise.ts'
import type { RawResponse } from '../core/api-promise.ts'
import { PostureError } from '../core/errors.ts'
import type { ActionOptions, CreateOptions, ReadOptions, RequestSpec, UpdateOptions } from '../core/options.ts'
import { PagePromise } from '../core/pagination.ts'
import type { HistoryList } from '../generated/types.ts'

// The operations every resource has (SPEC §3), over one REST path. Single-record responses come
// back with their ETag as a non-enumerable `etag` property (not serialised, not spread), ready
// for `update(id, patch, { ifMatch: record.etag })`.

/** A record as a single-record call returns it: the fields, plus the response's ETag. */
export type WithETag<T> = T & {
  /** The record's version (the response's ETag header); non-enumerable. Send it as `ifMatch`. */
  readonly etag: string
}

/** One change in a record's history: who, when, which action, and `{ field: { from, to } }`. */
export type HistoryEntry = HistoryList['data'][number]

/** The types one resource is declared with (all generated from the OpenAPI document). */
export interface ResourceTypes {
  record: object
  create: object
  patch: object
  listParams: object
  historyParams: object
}

/** What a resource needs from the client: a way to send a request. */
export interface Requester {
  send(spec: RequestSpec, options?: ActionOptions): Promise<RawResponse>
  /** A page of a list, able to fetch the following pages with the same query and options. */
  page<T>(path: string, params: object | undefined, options: ReadOptions | undefined): PagePromise<T>
}

function withETag<T> ({ response, body }: RawResponse): WithETag<T> {
  if (typeof body !== 'object' || body === null) throw new PostureError(`Expected a record in the ${response.status} response, got ${JSON.stringify(body)}.`)
  const record = body as T & { etag?: string }
  Object.defineProperty(record, 'etag', { value: response.headers.get('etag') ?? undefined, enumerable: false, writable: true, configurable: true })
  return record as WithETag<T>
}

export class Resource<T extends ResourceTypes> {
  readonly #client: Requester
  /** The REST path, e.g. `/api/v1/vulnerabilities`. */
  readonly path: string

  constructor (client: Requester, path: string) {
    this.#client = client
    this.path = path
  }

  /** Your records matching `params`: await it for one page, or `for await` over every record. */
  list (params?: T['listParams'], options?: ReadOptions): PagePromise<T['record']> {
    return this.#client.page<T['record']>(this.path, params, options)
  }

  /** One record by id (soft-deleted ones too). */
  get (id: string, options?: ReadOptions): APIPromise<WithETag<T['record']>> {
    return this.record({ method: 'GET', path: this.itemPath(id) }, options)
  }

  /** Creates a record; retried safely with one Idempotency-Key per call. */
  create (body: T['create'] = {}, options?: CreateOptions): APIPromise<WithETag<T['record']>> {
    return this.record({ method: 'POST', path: this.path, body }, options)
  }

  /** Merge patch (RFC 7396): a present field is set, `null` clears it, an absent one is left. */
  update (id: string, patch: T['patch'], options?: UpdateOptions): APIPromise<WithETag<T['record']>> {
    return this.record({ method: 'PATCH', path: this.itemPath(id), body: patch }, options)
  }

  /** Soft delete (idempotent); the record comes back with `is_deleted: true`. */
  delete (id: string, options?: UpdateOptions): APIPromise<WithETag<T['record']>> {
    return this.record({ method: 'DELETE', path: this.itemPath(id) }, options)
  }

  /** Undoes a soft delete (idempotent). */
  restore (id: string, options?: ActionOptions): APIPromise<WithETag<T['record']>> {
    return this.record({ method: 'POST', path: `${this.itemPath(id)}/restore` }, options)
  }

  /** Every change of a record, newest first, paginated like lists. */
  history (id: string, params?: T['historyParams'], options?: ReadOptions): PagePromise<HistoryEntry> {
    return this.#client.page<HistoryEntry>(`${this.itemPath(id)}/history`, params, options)
  }

  protected record (spec: RequestSpec, options: ActionOptions | undefined): APIPromise<WithETag<T['record']>> {
    return new APIPromise(this.#client.send(spec, options), withETag<T['record']>)
  }

  /** An id is one path segment; an empty one would address the collection instead. */
  protected itemPath (id: string): string {
    if (typeof id !== 'string' || id === '') throw new PostureError(`Expected a record id (a non-empty string), got ${JSON.stringify(id)}.`)
    return `${this.path}/${encodeURIComponent(id)}`
  }
}
