import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/src/app.ts'
import { openDatabase } from '../../../server/src/store/database.ts'
import { migrate } from '../../../server/src/store/migrations.ts'
import { signToken } from '../../../server/src/http/auth.ts'
import type { DevToken } from '../../../server/src/http/explorer.ts'
import { ALL_SCOPES } from '../../../server/src/records/caller.ts'
import type { Backend } from '../../../server/test/support/backends.ts'
import { buildExplorer } from '../../scripts/build.ts'

// A real, listening server with a fresh database of one backend and the explorer built from the
// current sources into a temporary directory (so the tests exercise what `npm run build` makes).

const SECRET = 'explorer-test-secret-long-enough-for-hs256!'

export interface ExplorerServer {
  url: string
  app: FastifyInstance
  token(options?: { tenant?: string, sub?: string, scope?: string }): Promise<string>
  devToken: DevToken
  close(): Promise<void>
}

let built: Promise<string> | null = null

/** One build per test process: esbuild is quick, but there is no need to repeat it. */
export async function explorerBuild (): Promise<string> {
  built ??= buildExplorer(mkdtempSync(join(tmpdir(), 'posture-explorer-')))
  return await built
}

export async function startExplorerServer (backend: Backend): Promise<ExplorerServer> {
  const db = await backend.create()
  const database = openDatabase(db.url)
  await migrate(database)
  const token = async (o: { tenant?: string, sub?: string, scope?: string } = {}) =>
    await signToken(SECRET, { tenant: o.tenant ?? 'acme', sub: o.sub ?? 'alice', scope: o.scope ?? ALL_SCOPES, ttlSeconds: 3600 })
  const devToken: DevToken = { token: await token({ tenant: 'dev', sub: 'dev-user' }), tenant: 'dev', sub: 'dev-user', scope: ALL_SCOPES, expires_at: new Date(Date.now() + 3_600_000).toISOString() }
  const app = await buildApp({ database, auth: { jwtSecret: SECRET }, explorer: { dir: await explorerBuild(), devToken } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    token,
    devToken,
    async close () {
      await app.close()
      await database.close()
      await db.drop()
    }
  }
}

export function removeBuild (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
