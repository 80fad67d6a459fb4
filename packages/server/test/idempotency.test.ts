import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { recordFigure } from './support/figures.ts'
import { toTimestamp } from '../src/records/time.ts'
import { callerScope, requestFingerprint } from '../src/http/idempotency.ts'
import { reserveKey } from '../src/store/idempotency-store.ts'

// SPEC §6 Idempotency-Key on every POST: a replay is the first response byte for byte with
// Idempotent-Replayed: true and no second write; another body → 422 idempotency_key_reused; in
// flight → 409; concurrent requests with one key → one record; keys ≤ 255 characters; 24 h, then
// purged.

const VULNS = '/api/v1/vulnerabilities'
const CONCURRENT = 24

for (const backend of await testBackends()) {
  describe(`Idempotency-Key on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let clock = Date.now()
    before(async () => {
      t = await startTestApp(backend, { now: () => new Date(clock), app: { idempotency: { ttlMs: 24 * 3600_000, leaseMs: 60_000, purgeIntervalMs: 50 } } })
    })
    after(async () => { await t?.close() })

    const post = async (url: string, key: string, body: unknown, as?: { sub?: string, tenant?: string, app?: string }) =>
      await t.call('POST', url, { body, headers: { 'idempotency-key': key }, ...(as ? { as } : {}) })
    const count = async (url = VULNS) => (await t.call('GET', `${url}?include_total=true&include_deleted=true&limit=1`)).json().total as number
    const keyRows = async () => Number((await t.database.kysely.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

    test('a replay returns the first response byte for byte, marked, without a second write', async () => {
      const key = randomUUID()
      const before = await count()
      const first = await post(VULNS, key, { title: 'once', severity: 'high' })
      assert.equal(first.statusCode, 201, first.body)
      assert.equal(first.headers['idempotent-replayed'], undefined)
      const second = await post(VULNS, key, { severity: 'high', title: 'once' })
      assert.equal(second.statusCode, 201)
      assert.equal(second.headers['idempotent-replayed'], 'true')
      assert.equal(second.body, first.body)
      assert.equal(second.headers.location, first.headers.location)
      assert.equal(second.headers.etag, first.headers.etag)
      assert.equal(second.headers['content-type'], first.headers['content-type'])
      assert.equal(await count(), before + 1)
    })

    test('resolve and restore replay too, with no second history entry', async () => {
      const id = (await t.call('POST', VULNS, { body: { title: 'to resolve' } })).json().id as string
      const key = randomUUID()
      const first = await post(`${VULNS}/${id}/resolve`, key, { status: 'false_positive', justification: 'scanner noise' })
      assert.equal(first.statusCode, 200, first.body)
      // Someone reopens it; the replay still answers what the first request did.
      await t.call('PATCH', `${VULNS}/${id}`, { body: { status: 'open' } })
      const replay = await post(`${VULNS}/${id}/resolve`, key, { status: 'false_positive', justification: 'scanner noise' })
      assert.equal(replay.body, first.body)
      assert.equal(replay.headers['idempotent-replayed'], 'true')
      assert.equal((await t.call('GET', `${VULNS}/${id}`)).json().status, 'open')
      await t.call('DELETE', `${VULNS}/${id}`)
      const restoreKey = randomUUID()
      const restored = await post(`${VULNS}/${id}/restore`, restoreKey, undefined)
      assert.equal(restored.statusCode, 200, restored.body)
      const again = await post(`${VULNS}/${id}/restore`, restoreKey, undefined)
      assert.equal(again.body, restored.body)
      const history = (await t.call('GET', `${VULNS}/${id}/history`)).json().data as Array<{ action: string }>
      assert.deepEqual(history.map((h) => h.action), ['restore', 'delete', 'update', 'resolve', 'create'])
    })

    test('the same key with another body, or on another path → 422 idempotency_key_reused, nothing written', async () => {
      const key = randomUUID()
      await post(VULNS, key, { title: 'first' })
      const before = await count()
      const res = await post(VULNS, key, { title: 'second' })
      assert.equal(res.statusCode, 422, res.body)
      assert.equal(res.json().code, 'idempotency_key_reused')
      assert.match(res.headers['content-type'] as string, /problem\+json/)
      const elsewhere = await post('/api/v1/risk-items', key, { title: 'first' })
      assert.equal(elsewhere.statusCode, 422, elsewhere.body)
      assert.equal(await count(), before)
    })

    test('keys are per tenant and per caller', async () => {
      const key = randomUUID()
      const a = await post(VULNS, key, { title: 'mine' })
      const b = await post(VULNS, key, { title: 'mine' }, { sub: 'bob' })
      const c = await post(VULNS, key, { title: 'mine' }, { tenant: 't2' })
      const d = await post(VULNS, key, { title: 'mine' }, { app: 'app_1' })
      const ids = [a, b, c, d].map((r) => { assert.equal(r.statusCode, 201, r.body); return r.json().id })
      assert.equal(new Set(ids).size, 4)
      for (const r of [b, c, d]) assert.equal(r.headers['idempotent-replayed'], undefined)
    })

    test('a key over 255 characters → 400; 255 is accepted', async () => {
      const res = await post(VULNS, 'k'.repeat(256), { title: 'long key' })
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(res.json().code, 'invalid_request')
      assert.equal((await post(VULNS, 'k'.repeat(255), { title: 'long key' })).statusCode, 201)
    })

    test('a request that fails writes nothing and does not keep the key: a corrected retry runs', async () => {
      const key = randomUUID()
      const before = await count()
      const bad = await post(VULNS, key, { status: 'accepted_risk' })
      assert.equal(bad.statusCode, 422, bad.body)
      assert.equal(bad.json().code, 'unprocessable')
      assert.equal(await count(), before)
      const fixed = await post(VULNS, key, { status: 'accepted_risk', justification: 'owner signed off' })
      assert.equal(fixed.statusCode, 201, fixed.body)
      assert.equal(fixed.headers['idempotent-replayed'], undefined)
    })

    test('while the first request is in flight → 409; an abandoned one is taken over after its lease', async () => {
      const key = randomUUID()
      const body = { title: 'in flight' }
      // The reservation a request still running (or a process killed mid-request) leaves behind.
      const scope = { tenantId: 't1', caller: callerScope('alice', null), key }
      const reserved = await reserveKey(t.database.kysely, scope, {
        fingerprint: requestFingerprint('POST', VULNS, body),
        lockToken: 'other-request',
        now: toTimestamp(new Date(clock)),
        expiresAt: toTimestamp(new Date(clock + 24 * 3600_000))
      })
      assert.equal(reserved, true)
      const before = await count()
      const res = await post(VULNS, key, body)
      assert.equal(res.statusCode, 409, res.body)
      assert.equal(res.json().code, 'conflict')
      assert.match(res.json().detail, /in flight/)
      // A different body under the in-flight key is still a reuse.
      assert.equal((await post(VULNS, key, { title: 'other' })).statusCode, 422)
      assert.equal(await count(), before)
      // Its write and its response commit together, so a reservation never completed means nothing
      // was written: after the lease the key is taken over and the request runs once.
      clock += 61_000
      const retried = await post(VULNS, key, body)
      assert.equal(retried.statusCode, 201, retried.body)
      const replay = await post(VULNS, key, body)
      assert.equal(replay.headers['idempotent-replayed'], 'true')
      assert.equal(await count(), before + 1)
    })

    test(`${CONCURRENT} concurrent requests with one key produce exactly one record`, async () => {
      const key = randomUUID()
      const before = await count()
      const body = { title: `concurrent ${key}` }
      const results = await Promise.all(Array.from({ length: CONCURRENT }, async () => await post(VULNS, key, body)))
      const created = results.filter((r) => r.statusCode === 201)
      for (const r of results) assert.ok(r.statusCode === 201 || r.statusCode === 409, `${r.statusCode} ${r.body}`)
      for (const r of results.filter((x) => x.statusCode === 409)) assert.equal(r.json().code, 'conflict')
      assert.ok(created.length >= 1)
      assert.equal(new Set(created.map((r) => r.json().id)).size, 1)
      assert.equal(await count(), before + 1)
      recordFigure(`idempotency_races.${backend.name}`, CONCURRENT)
    })

    test('after 24 h the key is forgotten: purged on read, and by the periodic purge', async () => {
      const key = randomUUID()
      const first = await post(VULNS, key, { title: 'day one' })
      clock += 24 * 3600_000 + 1000
      const later = await post(VULNS, key, { title: 'day one' })
      assert.equal(later.statusCode, 201)
      assert.equal(later.headers['idempotent-replayed'], undefined)
      assert.notEqual(later.json().id, first.json().id)
      clock += 24 * 3600_000 + 1000
      // The periodic purge (every 50 ms here) removes every expired key.
      const deadline = Date.now() + 10_000
      while (await keyRows() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(await keyRows(), 0)
    })
  })
}
