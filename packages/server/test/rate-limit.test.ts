import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// SPEC §5: over the tenant's (or app's) rate → 429 rate_limited with Retry-After and the IETF
// RateLimit-* headers. A bucket refilling at 1 token per 1000 s makes the counts exact without
// depending on timing. Two instances on one Redis share the bucket.

const REDIS_URL = process.env.POSTURE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const VULNS = '/api/v1/vulnerabilities'
const SLOW = { perSecond: 0.001, burst: 5 }

async function redisReachable (): Promise<string | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await redis.connect()
    await redis.ping()
    return null
  } catch (error) {
    return (error as Error).message
  } finally {
    redis.disconnect()
  }
}

for (const backend of await testBackends()) {
  describe(`rate limiting (in memory) on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend, { app: { rateLimit: SLOW } }) })
    after(async () => { await t?.close() })

    test('a tenant gets its burst, then 429 problem+json with Retry-After and RateLimit headers', async () => {
      const results = []
      for (let i = 0; i < SLOW.burst + 2; i++) results.push(await t.call('GET', VULNS, { as: { tenant: 'rl-a' } }))
      assert.deepEqual(results.map((r) => r.statusCode), [200, 200, 200, 200, 200, 429, 429])
      assert.deepEqual(results.map((r) => r.headers['ratelimit-remaining']), ['4', '3', '2', '1', '0', '0', '0'])
      const refused = results[5]!
      assert.equal(refused.json().code, 'rate_limited')
      assert.match(refused.headers['content-type'] as string, /application\/problem\+json/)
      assert.equal(refused.headers['ratelimit-limit'], '5')
      assert.ok(Number(refused.headers['retry-after']) >= 1)
      assert.ok(Number(refused.headers['ratelimit-reset']) >= 1)
    })

    test('a refused write writes nothing', async () => {
      const as = { tenant: 'rl-w' }
      for (let i = 0; i < SLOW.burst; i++) assert.equal((await t.call('POST', VULNS, { body: { title: `w${i}` }, as })).statusCode, 201)
      assert.equal((await t.call('POST', VULNS, { body: { title: 'over' }, as })).statusCode, 429)
      const stored = await t.database.kysely.selectFrom('vulnerabilities').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', 'rl-w').executeTakeFirstOrThrow()
      assert.equal(Number(stored.n), SLOW.burst)
    })

    test('each tenant, and each app of a tenant, has its own bucket', async () => {
      for (let i = 0; i < SLOW.burst; i++) await t.call('GET', VULNS, { as: { tenant: 'rl-b' } })
      assert.equal((await t.call('GET', VULNS, { as: { tenant: 'rl-b' } })).statusCode, 429)
      assert.equal((await t.call('GET', VULNS, { as: { tenant: 'rl-c' } })).statusCode, 200)
      assert.equal((await t.call('GET', VULNS, { as: { tenant: 'rl-b', app: 'app_x' } })).statusCode, 200)
    })

    test('health, readiness and metrics are not limited', async () => {
      for (let i = 0; i < SLOW.burst + 2; i++) assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200)
    })
  })
}

const unreachable = await redisReachable()
describe('rate limiting shared through Redis by two instances', { skip: unreachable ? `Redis unreachable: ${unreachable}` : false }, () => {
  const prefix = `posture-test:${randomBytes(6).toString('hex')}:`
  const backend = { name: 'sqlite' as const, create: async () => ({ url: 'sqlite::memory:', drop: async () => {} }) }
  let a: TestApp
  let b: TestApp
  before(async () => {
    const settings = { ...SLOW, redisUrl: REDIS_URL, redisPrefix: prefix }
    a = await startTestApp(backend, { app: { rateLimit: settings } })
    b = await startTestApp(backend, { app: { rateLimit: settings } })
  })
  after(async () => {
    await a?.close()
    await b?.close()
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })

  test('requests spread over both instances share one burst', async () => {
    const codes: number[] = []
    for (let i = 0; i < SLOW.burst + 3; i++) codes.push((await (i % 2 === 0 ? a : b).call('GET', VULNS, { as: { tenant: 'shared' } })).statusCode)
    assert.equal(codes.filter((c) => c === 200).length, SLOW.burst, codes.join(','))
    assert.deepEqual(codes.slice(SLOW.burst), [429, 429, 429])
  })

  test('another tenant on the same Redis is unaffected', async () => {
    assert.equal((await b.call('GET', VULNS, { as: { tenant: 'shared-other' } })).statusCode, 200)
  })
})

describe('rate limiting when Redis is unreachable', () => {
  let t: TestApp
  before(async () => {
    const [sqlite] = await testBackends()
    // Nothing listens on this port of ours: the limiter cannot reach its store.
    t = await startTestApp(sqlite!, { app: { rateLimit: { ...SLOW, redisUrl: 'redis://127.0.0.1:8145', redisPrefix: 'unused:' } } })
  })
  after(async () => { await t?.close() })

  test('fails open: requests are served rather than refused', async () => {
    for (let i = 0; i < SLOW.burst + 3; i++) {
      const res = await t.call('GET', VULNS, { as: { tenant: 'no-redis' } })
      assert.equal(res.statusCode, 200, res.body)
    }
  })
})
