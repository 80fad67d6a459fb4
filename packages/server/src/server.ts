import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { openDatabase } from './store/database.ts'
import type { Database } from './store/database.ts'
import { migrate } from './store/migrations.ts'
import { signToken } from './http/auth.ts'
import type { DevToken } from './http/explorer.ts'
import { ALL_SCOPES } from './records/caller.ts'

// The process around the app: open and migrate the database, listen, and shut down gracefully
// (finish in-flight requests, then close the database) on SIGTERM/SIGINT.

export interface RunningServer {
  app: FastifyInstance
  database: Database
  url: string
  /** The development token (printed by `posture serve`, offered by the explorer); null in production or with configured JWT settings. */
  devToken: DevToken | null
  close(): Promise<void>
}

const DEV_TOKEN_TTL_SECONDS = 30 * 86_400

/** Only when the server generated its own development secret, never in production (SPEC §1). */
async function developmentToken (config: Config): Promise<DevToken | null> {
  if (!config.devSecret || config.production || !config.auth.jwtSecret) return null
  const claims = { tenant: 'dev', sub: 'dev-user', scope: ALL_SCOPES, ttlSeconds: DEV_TOKEN_TTL_SECONDS }
  return {
    token: await signToken(config.auth.jwtSecret, claims),
    tenant: claims.tenant,
    sub: claims.sub,
    scope: claims.scope,
    expires_at: new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString()
  }
}

export async function startServer (config: Config): Promise<RunningServer> {
  const database = openDatabase(config.databaseUrl, { poolSize: config.poolSize })
  await migrate(database)
  const devToken = await developmentToken(config)
  const app = await buildApp({
    database,
    auth: config.auth,
    logger: {
      level: config.logLevel,
      // Tokens and secrets never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie']
    },
    explorer: devToken ? { devToken } : {}
  })
  app.addHook('onClose', async () => { await database.close() })
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return { app, database, url: `http://${host}:${port}`, devToken, close: async () => { await app.close() } }
}
