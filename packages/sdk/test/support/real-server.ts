import { after, before } from 'node:test'
import type { AddressInfo } from 'node:net'
import { startTestApp } from '../../../server/test/support/app.ts'
import type { TestApp, TokenOptions } from '../../../server/test/support/app.ts'
import type { Backend } from '../../../server/test/support/backends.ts'
import { PostureClient } from '../../src/index.ts'
import type { ClientOptions } from '../../src/index.ts'

// The real service (the app server.ts runs) on a fresh database of a backend, listening on an
// ephemeral loopback port, so the SDK talks to it over real HTTP with real fetch.

export interface RealServer {
  app: TestApp
  baseUrl: string
  /** A client for `as` (default tenant t1, sub alice, every scope). */
  client(as?: TokenOptions, options?: Partial<ClientOptions>): Promise<PostureClient>
  close(): Promise<void>
}

export async function startRealServer (backend: Backend): Promise<RealServer> {
  const app = await startTestApp(backend)
  await app.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    app,
    baseUrl,
    client: async (as = {}, options = {}) => new PostureClient({ baseUrl, token: await app.token(as), ...options }),
    close: () => app.close()
  }
}

export interface SuiteServer {
  /** Set once the suite's `before` hook ran. */
  server: RealServer
  /** A client as the default caller (tenant t1, sub alice, every scope). */
  client: PostureClient
}

/** Runs the real service on `backend` for the enclosing suite (before/after hooks). */
export function useRealServer (backend: Backend): SuiteServer {
  const suite = {} as SuiteServer
  before(async () => {
    suite.server = await startRealServer(backend)
    suite.client = await suite.server.client()
  })
  after(async () => { await suite.server?.close() })
  return suite
}
