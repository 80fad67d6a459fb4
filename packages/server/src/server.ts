import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { openDatabase } from './store/database.ts'
import type { Database } from './store/database.ts'
import { migrate } from './store/migrations.ts'
import { loggerOptions } from './http/logging.ts'
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
    logger: loggerOptions({ level: config.logLevel }),
    rateLimit: config.rateLimit,
    corsOrigins: config.corsOrigins,
    processMetrics: true,
    metricsToken: config.metricsToken,
    explorer: devToken ? { devToken } : {}
  })
  // Runs after the server stopped accepting and in-flight requests finished (Fastify closes the
  // listener first), so no request loses its database mid-way.
  app.addHook('onClose', async () => {
    await database.close()
    app.log.info('database closed')
  })
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return { app, database, url: `http://${host}:${port}`, devToken, close: async () => { await app.close() } }
}

/** How long in-flight requests get to finish after SIGTERM before the process gives up (exit 1). */
export const SHUTDOWN_TIMEOUT_MS = 30_000

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish, close the database,
 * exit 0. A request that does not finish within SHUTDOWN_TIMEOUT_MS does not keep the process
 * alive (orchestrators send SIGKILL soon after anyway; a 2xx was only ever sent after commit).
 */
export function shutDownOnSignals (server: RunningServer, timeoutMs = SHUTDOWN_TIMEOUT_MS): void {
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    setTimeout(() => {
      server.app.log.error({ timeoutMs }, 'shutdown timed out; exiting')
      process.exit(1)
    }, timeoutMs).unref()
    server.close().then(() => process.exit(0), (error: unknown) => {
      server.app.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
