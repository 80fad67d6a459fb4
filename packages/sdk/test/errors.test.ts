import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { testBackends } from '../../server/test/support/backends.ts'
import { startRealServer, useRealServer } from './support/real-server.ts'
import type { RealServer } from './support/real-server.ts'
import {
  APIConnectionError, APIError, AuthenticationError, BadRequestError, ConflictError, InternalServerError, NotFoundError,
  PermissionDeniedError, PostureClient, PostureError, PreconditionFailedError, UnprocessableEntityError
} from '../src/index.ts'

// Each error class from a real response of the real service (RateLimitError and timeouts, which
// the service cannot be made to produce on demand, are in retries.test.ts against a fake server).

/** The rejection of `promise`, asserted to be an instance of `Class`. */
async function rejection<E> (promise: PromiseLike<unknown>, Class: new (...args: any[]) => E): Promise<E> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof Class, `expected ${Class.name}, got ${(error as Error).name}: ${(error as Error).message}`)
    return error
  }
  assert.fail(`expected ${Class.name}, but the call succeeded`)
}

function assertProblem (error: APIError, status: number, code: string): void {
  assert.ok(error instanceof APIError)
  assert.ok(error instanceof PostureError)
  assert.equal(error.status, status)
  assert.equal(error.code, code)
  assert.equal(error.problem?.status, status)
  assert.equal(error.error, error.problem)
  assert.match(error.requestId!, /^req_/)
  assert.equal(error.requestId, error.problem?.request_id)
  assert.equal(error.headers?.get('content-type'), 'application/problem+json; charset=utf-8')
  assert.ok(error.message.startsWith(`${status} `), error.message)
}

for (const backend of await testBackends()) {
  describe(`SDK errors from the real service on ${backend.name}`, { skip: backend.skip }, () => {
    const suite = useRealServer(backend)
    let server: RealServer
    let client: PostureClient
    before(() => ({ server, client } = suite))

    test('400 → BadRequestError with the field errors', async () => {
      const error = await rejection(client.vulnerabilities.create({ severity: 'severe' } as never), BadRequestError)
      assertProblem(error, 400, 'invalid_request')
      assert.equal(error.errors[0]!.field, 'severity')
      const unknown = await rejection(client.vulnerabilities.list({ bogus: 1 } as never), BadRequestError)
      assert.equal(unknown.errors[0]!.field, 'bogus')
    })

    test('401 → AuthenticationError', async () => {
      const anonymous = new PostureClient({ baseUrl: server.baseUrl, token: 'not-a-jwt' })
      assertProblem(await rejection(anonymous.vulnerabilities.list(), AuthenticationError), 401, 'unauthenticated')
      const expired = new PostureClient({ baseUrl: server.baseUrl, token: await server.app.token({ ttlSeconds: -3600 }) })
      assertProblem(await rejection(expired.vulnerabilities.get('vul_x'), AuthenticationError), 401, 'unauthenticated')
    })

    test('403 → PermissionDeniedError', async () => {
      const reader = await server.client({ scope: 'risk:read' })
      assertProblem(await rejection(reader.riskItems.create({ title: 'x' }), PermissionDeniedError), 403, 'forbidden')
    })

    test('404 → NotFoundError, also for another tenant\'s record', async () => {
      assertProblem(await rejection(client.vulnerabilities.get('vul_01HXNOPE'), NotFoundError), 404, 'not_found')
      const mine = await client.riskItems.create({ title: 'mine' })
      const other = await server.client({ tenant: 'someone-else' })
      for (const call of [() => other.riskItems.get(mine.id), () => other.riskItems.update(mine.id, { title: 'x' }), () => other.riskItems.delete(mine.id), () => other.riskItems.restore(mine.id), () => other.riskItems.history(mine.id)]) {
        assertProblem(await rejection(call(), NotFoundError), 404, 'not_found')
      }
    })

    test('409 → ConflictError: a duplicate control, a write to a deleted record', async () => {
      await client.complianceControls.create({ framework: 'pci_dss', control_id: 'Req 8.3' })
      assertProblem(await rejection(client.complianceControls.create({ framework: 'pci_dss', control_id: 'Req 8.3' }), ConflictError), 409, 'conflict')
      const v = await client.vulnerabilities.create({ title: 'to delete' })
      await client.vulnerabilities.delete(v.id)
      assertProblem(await rejection(client.vulnerabilities.resolve(v.id), ConflictError), 409, 'conflict')
    })

    test('412 → PreconditionFailedError on a stale ETag, for every conditional write', async () => {
      const v = await client.vulnerabilities.create({ title: 'etag' })
      const stale = v.etag
      await client.vulnerabilities.update(v.id, { title: 'moved on' })
      for (const call of [
        () => client.vulnerabilities.update(v.id, { title: 'lost update' }, { ifMatch: stale }),
        () => client.vulnerabilities.resolve(v.id, {}, { ifMatch: stale }),
        () => client.vulnerabilities.delete(v.id, { ifMatch: stale }),
        () => client.vulnerabilities.restore(v.id, { ifMatch: stale })
      ]) assertProblem(await rejection(call(), PreconditionFailedError), 412, 'precondition_failed')
      assert.equal((await client.vulnerabilities.get(v.id)).title, 'moved on')
    })

    test('422 → UnprocessableEntityError on a domain rule', async () => {
      const v = await client.vulnerabilities.create({ title: 'fp' })
      const error = await rejection(client.vulnerabilities.resolve(v.id, { status: 'false_positive' }), UnprocessableEntityError)
      assertProblem(error, 422, 'unprocessable')
      assert.equal(error.errors[0]!.field, 'justification')
    })

    test('413, 415 and 405 → APIError with that status', async () => {
      const big = await rejection(client.vulnerabilities.create({ description: 'x'.repeat(1024 * 1024 + 10) }), APIError)
      assert.equal(big.constructor, APIError)
      assertProblem(big, 413, 'payload_too_large')
      const text = await rejection(client.request({ method: 'POST', path: '/api/v1/vulnerabilities', body: 'x' }, { headers: { 'content-type': 'text/plain' } }), APIError)
      assert.equal(text.constructor, APIError)
      assertProblem(text, 415, 'unsupported_media_type')
      const method = await rejection(client.request({ method: 'DELETE', path: '/api/v1/vulnerabilities' }), APIError)
      assert.equal(method.constructor, APIError)
      assertProblem(method, 405, 'method_not_allowed')
    })

    test('an empty id is refused before any request', () => {
      assert.throws(() => client.vulnerabilities.get(''), PostureError)
    })
  })
}

describe('SDK errors without a usable service', () => {
  test('5xx → InternalServerError: the real service with its database closed', async () => {
    const [sqlite] = await testBackends()
    const server = await startRealServer(sqlite!)
    try {
      const client = await server.client({}, { maxRetries: 0 })
      await server.app.database.close()
      const error = await rejection(client.vulnerabilities.list(), InternalServerError)
      assert.ok(error.status! >= 500)
      assert.match(error.requestId!, /^req_/)
    } finally {
      await server.app.app.close()
    }
  })

  test('nothing listening → APIConnectionError (after the retries)', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const client = new PostureClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't', maxRetries: 0 })
    const error = await rejection(client.vulnerabilities.list(), APIConnectionError)
    assert.equal(error.status, undefined)
    assert.equal(error.code, undefined)
    assert.ok(error.cause)
  })

  test('a per-call timeout or retry count that cannot work is refused', async () => {
    const client = new PostureClient({ token: 't', baseUrl: 'http://127.0.0.1:9' })
    await assert.rejects(client.vulnerabilities.list({}, { timeoutMs: Infinity }), /timeoutMs must be a number of ms/)
    await assert.rejects(client.vulnerabilities.list({}, { maxRetries: -1 }), /maxRetries must be a non-negative integer/)
  })

  test('a client without a token, or with a bad timeout or retry count, is refused at construction', () => {
    assert.throws(() => new PostureClient({} as never), PostureError)
    assert.throws(() => new PostureClient({ token: 't', maxRetries: 1.5 }), /maxRetries must be a non-negative integer/)
    for (const timeoutMs of [-1, 0, Infinity]) assert.throws(() => new PostureClient({ token: 't', timeoutMs }), /timeoutMs must be a number of ms/)
    assert.equal(new PostureClient({ token: 't', baseUrl: 'http://127.0.0.1:8080///' }).baseUrl, 'http://127.0.0.1:8080')
  })
})
