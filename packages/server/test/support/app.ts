import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.ts'
import type { AppOptions } from '../../src/app.ts'
import { openDatabase } from '../../src/store/database.ts'
import type { Database } from '../../src/store/database.ts'
import { migrate } from '../../src/store/migrations.ts'
import { signToken } from '../../src/http/auth.ts'
import { ALL_SCOPES } from '../../src/records/caller.ts'
import type { Backend } from './backends.ts'

// One helper builds the real app over a fresh database of a backend; tests talk to it over HTTP
// semantics with app.inject (no mocked store).

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!'

export interface TokenOptions {
  tenant?: string
  sub?: string
  app?: string
  scope?: string
  ttlSeconds?: number
}

export interface TestApp {
  app: FastifyInstance
  database: Database
  token(options?: TokenOptions): Promise<string>
  /** A request as `tenant`/`sub` (defaults t1/alice, all scopes). */
  call(method: string, url: string, options?: { body?: unknown, token?: string, as?: TokenOptions, headers?: Record<string, string> }): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

export interface TestAppOptions {
  now?: () => Date
  auth?: { jwksUrl?: string, issuer?: string, audience?: string }
  /** Further app settings (rate limit, logger, CORS, idempotency timings). */
  app?: Omit<Partial<AppOptions>, 'database' | 'auth' | 'now'>
  /** An existing database URL to share (several app instances on one database). */
  databaseUrl?: string
}

export async function startTestApp (backend: Backend, options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await backend.create()
  const database = openDatabase(db.url)
  await migrate(database)
  const app = await buildApp({
    database,
    auth: { jwtSecret: TEST_SECRET, ...options.auth },
    ...options.app,
    ...(options.now ? { now: options.now } : {})
  })
  await app.ready()
  const token = async (o: TokenOptions = {}) => await signToken(TEST_SECRET, {
    tenant: o.tenant ?? 't1',
    sub: o.sub ?? 'alice',
    scope: o.scope ?? ALL_SCOPES,
    ttlSeconds: o.ttlSeconds ?? 3600,
    ...(o.app ? { app: o.app } : {}),
    ...(options.auth?.issuer ? { issuer: options.auth.issuer } : {}),
    ...(options.auth?.audience ? { audience: options.auth.audience } : {})
  })
  return {
    app,
    database,
    token,
    async call (method, url, o = {}) {
      const bearer = o.token ?? await token(o.as)
      return await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${bearer}`, ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        ...(o.body !== undefined ? { payload: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {})
      })
    },
    async close () {
      await app.close()
      await database.close()
      await db.drop()
    }
  }
}
