import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testBackends } from './support/backends.ts'
import { TEST_SECRET } from './support/app.ts'
import { startServerProcess } from './support/server-process.ts'
import { signToken } from '../src/http/auth.ts'
import { ALL_SCOPES } from '../src/records/caller.ts'
import { recordFigure } from './support/figures.ts'

// SPEC §6 "a 2xx means the write is committed and survives a crash of the process": a real server
// process takes a load of creates and is killed with SIGKILL mid-load; after a restart every create
// that was answered 2xx is there. And SIGTERM finishes in-flight requests, then closes the database.

const ROUNDS = 3
const WORKERS = 8
const PORTS = { sqlite: 8141, postgres: 8142 } as const
const SIGTERM_PORTS = { sqlite: 8143, postgres: 8144 } as const
const VULNS = '/api/v1/vulnerabilities'

const token = await signToken(TEST_SECRET, { tenant: 'crash', sub: 'loader', scope: ALL_SCOPES, ttlSeconds: 3600 })
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

for (const backend of await testBackends()) {
  describe(`crash safety on ${backend.name}`, { skip: backend.skip }, () => {
    let dir: string
    let databaseUrl: string
    let drop = async () => {}
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'posture-crash-'))
      if (backend.name === 'sqlite') {
        databaseUrl = `sqlite:${join(dir, 'posture.db')}`
      } else {
        const db = await backend.create()
        databaseUrl = db.url
        drop = db.drop
      }
    })
    after(async () => {
      await drop()
      rmSync(dir, { recursive: true, force: true })
    })

    test(`SIGKILL mid-load, ${ROUNDS} rounds: every create answered 2xx survives, and idempotent retries never duplicate`, async () => {
      // Each create carries an Idempotency-Key and its key as `source`, so a retry's effect is countable.
      const acknowledged: Array<{ key: string, id: string }> = []
      const cutOff: string[] = []
      const create = async (url: string, key: string) => await fetch(url + VULNS, {
        method: 'POST', headers: { ...headers, 'idempotency-key': key }, body: JSON.stringify({ title: 'under load', source: key })
      })
      for (let round = 0; round < ROUNDS; round++) {
        const server = await startServerProcess({ port: PORTS[backend.name], databaseUrl })
        let killed = false
        const killAfter = acknowledged.length + 30 + round * 17
        const worker = async () => {
          while (!killed) {
            const key = randomUUID()
            try {
              const res = await create(server.url, key)
              const body = await res.json() as { id: string }
              if (res.status === 201) acknowledged.push({ key, id: body.id })
              else assert.fail(`unexpected ${res.status} ${JSON.stringify(body)}`)
            } catch (error) {
              // Requests cut off by the kill have no answer: they promised nothing, and are retried below.
              if (!killed) throw error
              cutOff.push(key)
            }
            if (!killed && acknowledged.length >= killAfter) {
              killed = true
              server.child.kill('SIGKILL')
            }
          }
        }
        await Promise.all(Array.from({ length: WORKERS }, worker))
        assert.equal((await server.exited).signal, 'SIGKILL')
      }
      const check = await startServerProcess({ port: PORTS[backend.name], databaseUrl })
      const countOf = async (key: string) => ((await (await fetch(`${check.url}${VULNS}?source=${key}&include_total=true`, { headers })).json()) as { total: number }).total
      try {
        for (const { id } of acknowledged) {
          const res = await fetch(`${check.url}${VULNS}/${id}`, { headers })
          assert.equal(res.status, 200, `acknowledged create ${id} was lost`)
        }
        // A retry of an acknowledged create replays it: same id, still one record.
        for (const { key, id } of acknowledged.slice(-10)) {
          const res = await create(check.url, key)
          assert.equal(res.status, 201)
          assert.equal(res.headers.get('idempotent-replayed'), 'true')
          assert.equal(((await res.json()) as { id: string }).id, id)
          assert.equal(await countOf(key), 1)
        }
        // A retry of a request cut off by the kill: replayed if it had committed, 409 while its
        // reservation's lease runs, or run now if it never reserved — and never a second record.
        for (const key of cutOff) {
          const res = await create(check.url, key)
          assert.ok([201, 409].includes(res.status), `${res.status} ${await res.text()}`)
          assert.equal(await countOf(key), res.status === 201 ? 1 : 0)
        }
      } finally {
        check.child.kill('SIGTERM')
        await check.exited
      }
      recordFigure(`crash_restart_rounds.${backend.name}`, ROUNDS)
      recordFigure(`crash_acknowledged_creates_verified.${backend.name}`, acknowledged.length)
      recordFigure(`crash_cut_off_requests_retried.${backend.name}`, cutOff.length)
    })

    test('SIGTERM: an in-flight request completes, then the database is closed and the process exits 0', async () => {
      const server = await startServerProcess({ port: SIGTERM_PORTS[backend.name], databaseUrl })
      const body = JSON.stringify({ title: 'in flight during shutdown', description: 'x'.repeat(2000) })
      // Send the headers and half the body, so the request is in flight when SIGTERM arrives.
      const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
        const req = request(`${server.url}${VULNS}`, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = ''
          res.on('data', (chunk) => { text += String(chunk) })
          res.on('end', () => resolve({ status: res.statusCode!, body: text }))
        })
        req.on('error', reject)
        req.write(body.slice(0, 1000))
        req.flushHeaders()
        setTimeout(() => {
          server.child.kill('SIGTERM')
          // Shutdown has begun: the listener closes while this request is still open.
          const finish = () => req.end(body.slice(1000))
          const poll = setInterval(() => {
            if (server.output().includes('shutting down')) { clearInterval(poll); finish() }
          }, 20)
        }, 200)
      })
      const done = await response
      assert.equal(done.status, 201, done.body)
      const id = JSON.parse(done.body).id as string
      const exit = await server.exited
      assert.equal(exit.code, 0, server.output())
      assert.match(server.output(), /"msg":"database closed"/)
      if (backend.name === 'sqlite') {
        // A clean close checkpoints the WAL and removes it.
        assert.equal(existsSync(join(dir, 'posture.db-wal')), false)
      }
      await assert.rejects(fetch(`${server.url}/healthz`))
      const again = await startServerProcess({ port: SIGTERM_PORTS[backend.name], databaseUrl })
      try {
        assert.equal((await fetch(`${again.url}${VULNS}/${id}`, { headers })).status, 200)
      } finally {
        again.child.kill('SIGTERM')
        await again.exited
      }
    })
  })
}
