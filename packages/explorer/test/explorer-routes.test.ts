import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import { startServer } from '../../server/src/server.ts'
import { openDatabase } from '../../server/src/store/database.ts'
import type { Database } from '../../server/src/store/database.ts'
import { migrate } from '../../server/src/store/migrations.ts'
import { defaultExplorerDir } from '../../server/src/http/explorer.ts'
import type { ExplorerOptions } from '../../server/src/http/explorer.ts'
import { testBackends } from '../../server/test/support/backends.ts'
import { explorerBuild } from './support/server.ts'

// /explorer and /docs over HTTP: self-hosted files under a strict Content-Security-Policy, a clear
// page when the explorer is not built, and the development token only where it may exist.

const backends = await testBackends()
const SECRET = 'explorer-routes-secret-long-enough-for-hs256!'
const DEV_TOKEN = { token: 'dev.jwt.token', tenant: 'dev', sub: 'dev-user', scope: 'risk:read', expires_at: '2030-01-01T00:00:00.000Z' }

for (const backend of backends) {
  describe(`explorer routes (${backend.name})`, { skip: backend.skip }, () => {
    let drop: () => Promise<void>
    let database: Database
    const apps: FastifyInstance[] = []

    before(async () => {
      const db = await backend.create()
      drop = db.drop
      database = openDatabase(db.url)
      await migrate(database)
    })
    after(async () => {
      for (const app of apps) await app.close()
      await database.close()
      await drop()
    })

    async function app (explorer: ExplorerOptions): Promise<FastifyInstance> {
      const built = await buildApp({ database, auth: { jwtSecret: SECRET }, explorer })
      apps.push(built)
      return built
    }

    test('serves the built explorer at /explorer under a self-only Content-Security-Policy', async () => {
      const server = await app({ dir: await explorerBuild() })
      for (const url of ['/explorer', '/explorer/']) {
        const page = await server.inject(url)
        assert.equal(page.statusCode, 200, url)
        assert.match(String(page.headers['content-type']), /text\/html/)
        const csp = String(page.headers['content-security-policy'])
        assert.match(csp, /script-src 'self'(;|$)/)
        assert.match(csp, /connect-src 'self'(;|$)/)
        assert.match(csp, /default-src 'self'/)
        // No inline script or handler: every script is a file of this origin.
        for (const tag of page.body.match(/<script[^>]*>/g) ?? []) assert.match(tag, /src="\/explorer\//)
        assert.doesNotMatch(page.body, /<script[^>]*>[^<]+<\/script>/)
        assert.doesNotMatch(page.body, /\son[a-z]+=/i)
        assert.doesNotMatch(page.body, /https?:\/\//)
      }
      const script = await server.inject('/explorer/app.js')
      assert.equal(script.statusCode, 200)
      assert.match(String(script.headers['content-type']), /javascript/)
      const css = await server.inject('/explorer/styles.css')
      assert.equal(css.statusCode, 200)
      assert.doesNotMatch(css.body, /@import|url\(\s*['"]?https?:/, 'no web fonts or remote styles')
      const missing = await server.inject('/explorer/nope.js')
      assert.equal(missing.statusCode, 404)
      assert.equal(missing.json().code, 'not_found')
    })

    test('without a build, the server still starts and /explorer says how to build it', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'posture-no-explorer-'))
      try {
        const server = await app({ dir: empty })
        const page = await server.inject('/explorer')
        assert.equal(page.statusCode, 503)
        assert.match(String(page.headers['content-type']), /text\/html/)
        assert.match(page.body, /npm run build -w @posture\/explorer/)
        assert.equal((await server.inject('/explorer/app.js')).statusCode, 503)
        assert.equal((await server.inject('/openapi.json')).statusCode, 200)
      } finally {
        rmSync(empty, { recursive: true, force: true })
      }
    })

    test('the development token exists only when given, and only for this machine', async () => {
      const dir = await explorerBuild()
      const without = await app({ dir })
      assert.equal((await without.inject('/explorer/dev-token')).statusCode, 404)
      const withToken = await app({ dir, devToken: DEV_TOKEN })
      const local = await withToken.inject({ url: '/explorer/dev-token', headers: { host: '127.0.0.1:8080' } })
      assert.equal(local.statusCode, 200)
      assert.deepEqual(local.json(), DEV_TOKEN)
      assert.equal(local.headers['cache-control'], 'no-store')
      // A page reached through another name (DNS rebinding) or from another machine gets nothing.
      const rebound = await withToken.inject({ url: '/explorer/dev-token', headers: { host: 'evil.example:8080' } })
      assert.equal(rebound.statusCode, 403)
      assert.doesNotMatch(rebound.body, /dev\.jwt\.token/)
      const remote = await withToken.inject({ url: '/explorer/dev-token', headers: { host: 'localhost:8080' }, remoteAddress: '192.0.2.7' })
      assert.equal(remote.statusCode, 403)
      // Another site's page in the developer's browser cannot read it, whatever CORS says.
      const crossSite = await withToken.inject({ url: '/explorer/dev-token', headers: { host: '127.0.0.1:8080', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
      assert.equal(crossSite.statusCode, 403)
      const crossSiteNoOrigin = await withToken.inject({ url: '/explorer/dev-token', headers: { host: '127.0.0.1:8080', 'sec-fetch-site': 'cross-site' } })
      assert.equal(crossSiteNoOrigin.statusCode, 403)
      const sameOrigin = await withToken.inject({ url: '/explorer/dev-token', headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' } })
      assert.equal(sameOrigin.statusCode, 200)
    })

    test('/docs is Swagger UI from node_modules, pointed at /openapi.json', async () => {
      const server = await app({ dir: await explorerBuild() })
      const page = await server.inject('/docs')
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /<script src="\/docs\/assets\/swagger-ui-bundle\.js"><\/script>/)
      assert.doesNotMatch(page.body, /https?:\/\//)
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'(;|$)/)
      const init = await server.inject('/docs/init.js')
      assert.match(init.body, /url: '\/openapi\.json'/)
      const bundle = await server.inject('/docs/assets/swagger-ui-bundle.js')
      assert.equal(bundle.statusCode, 200)
      assert.ok(bundle.body.length > 100_000)
      // Only the files the page needs are exposed from the package.
      assert.equal((await server.inject('/docs/assets/index.html')).statusCode, 404)
      assert.equal((await server.inject('/docs/assets/package.json')).statusCode, 404)
    })
  })
}

describe('the development token and the process', () => {
  const dirs: string[] = []
  after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }) })
  const env = (extra: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posture-data-'))
    dirs.push(dataDir)
    return loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', POSTURE_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...extra })
  }

  test('development with a generated secret: /explorer/dev-token hands out the token the server prints', async () => {
    const server = await startServer(env({}))
    try {
      assert.ok(server.devToken)
      const response = await fetch(`${server.url}/explorer/dev-token`)
      assert.equal(response.status, 200)
      const body = await response.json() as { token: string, tenant: string }
      assert.equal(body.token, server.devToken.token)
      assert.equal(body.tenant, 'dev')
      const list = await fetch(`${server.url}/api/v1/vulnerabilities`, { headers: { authorization: `Bearer ${body.token}` } })
      assert.equal(list.status, 200, 'the token works against the API')
    } finally {
      await server.close()
    }
  })

  for (const [name, extra] of [
    ['production', { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-bytes!' }],
    ['an explicit JWT_SECRET', { JWT_SECRET: 'an-operator-chosen-secret-of-32-bytes-or-more' }]
  ] as const) {
    test(`with ${name} there is no development token and no route for it`, async () => {
      const server = await startServer(env(extra))
      try {
        assert.equal(server.devToken, null)
        assert.equal((await fetch(`${server.url}/explorer/dev-token`)).status, 404)
      } finally {
        await server.close()
      }
    })
  }

  test('by default the server serves the @posture/explorer workspace build', () => {
    const dir = defaultExplorerDir()
    assert.ok(dir, '@posture/explorer resolves')
    assert.equal(dir, join(process.cwd(), 'packages/explorer/dist'))
    assert.match(readFileSync(join(dir, '..', 'package.json'), 'utf8'), /"name": "@posture\/explorer"/)
  })
})
