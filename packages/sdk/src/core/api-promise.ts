// What every SDK call returns: a promise of the parsed result that can also give the raw
// Response, request id and ETag (`withResponse()`), in the manner of openai-node's APIPromise.
// The request starts at once (like any promise); parsing happens when someone awaits.

/** One HTTP exchange as the transport completed it: the response and its parsed body. */
export interface RawResponse {
  response: Response
  body: unknown
}

export interface WithResponse<T> {
  data: T
  response: Response
  /** `x-request-id` of the response. */
  requestId: string | undefined
  /** `ETag` of the response (record responses): send it back as `ifMatch`. */
  etag: string | undefined
}

export class APIPromise<T> implements PromiseLike<T> {
  readonly #raw: Promise<RawResponse>
  readonly #parse: (raw: RawResponse) => T
  #parsed: Promise<T> | undefined

  constructor (raw: Promise<RawResponse>, parse: (raw: RawResponse) => T) {
    this.#raw = raw
    this.#parse = parse
  }

  /** The parsed result together with the raw Response, its request id and ETag. */
  async withResponse (): Promise<WithResponse<T>> {
    const [data, { response }] = await Promise.all([this.#parsedPromise(), this.#raw])
    return {
      data,
      response,
      requestId: response.headers.get('x-request-id') ?? undefined,
      etag: response.headers.get('etag') ?? undefined
    }
  }

  /** The raw Response (its body already read and parsed by the SDK). */
  async asResponse (): Promise<Response> {
    return (await this.#raw).response
  }

  #parsedPromise (): Promise<T> {
    this.#parsed ??= this.#raw.then(this.#parse)
    return this.#parsed
  }

  then<R1 = T, R2 = never> (
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null
  ): Promise<R1 | R2> {
    return this.#parsedPromise().then(onfulfilled, onrejected)
  }

  catch<R = never> (onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#parsedPromise().catch(onrejected)
  }

  finally (onfinally?: (() => void) | null): Promise<T> {
    return this.#parsedPromise().finally(onfinally)
  }

  get [Symbol.toStringTag] (): string {
    return 'APIPromise'
  }
}
