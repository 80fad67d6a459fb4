import Fastify, { LogController } from 'fastify'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { newId } from './records/ids.ts'
import { RecordOperations } from './records/operations.ts'
import type { Database } from './store/database.ts'
import { createAuthenticator } from './http/auth.ts'
import type { AuthConfig } from './http/auth.ts'
import { registerProblemHandlers, sendProblem, toProblem } from './http/problems.ts'
import { registerRoutes, registerSchemas } from './http/routes.ts'
import { registerOpenApi } from './http/openapi.ts'
import { registerHealth } from './http/health.ts'
import { registerIdempotency, IDEMPOTENCY_DEFAULTS } from './http/idempotency.ts'
import type { IdempotencySettings } from './http/idempotency.ts'
import { registerRateLimit } from './http/rate-limit.ts'
import type { RateLimitSettings } from './http/rate-limit.ts'
import { registerInputLimits } from './http/input-limits.ts'
import { registerSecurityHeaders } from './http/security-headers.ts'
import { registerMetrics } from './http/metrics.ts'
import { REQUEST_ID_LOG_LABEL } from './http/logging.ts'
import { registerExplorer } from './http/explorer.ts'
import type { ExplorerOptions } from './http/explorer.ts'
import { ProblemError } from './errors.ts'

// The service as a Fastify instance over an open, migrated database. server.ts (the process)
// and the tests both build it here, so tests exercise exactly what runs.

export interface AppOptions {
  database: Database
  auth: AuthConfig
  logger?: FastifyServerOptions['logger']
  /** Injectable clock for tests of time rules. */
  now?: () => Date
  /** Token buckets per tenant/app (RATE_LIMIT_*); absent or null: no limit. */
  rateLimit?: RateLimitSettings | null
  /** Origins allowed by CORS (CORS_ORIGINS); none by default. */
  corsOrigins?: string[]
  idempotency?: IdempotencySettings
  /** Process-wide metrics on /metrics (the server process; not for apps built in tests). */
  processMetrics?: boolean
  /** The bearer token /metrics requires (METRICS_TOKEN); absent or null: /metrics is open. */
  metricsToken?: string | null
  /** Where the explorer build is, and the development token it may offer (http/explorer.ts). */
  explorer?: ExplorerOptions
}

/** SPEC §5: bodies over 1 MiB → 413. */
export const BODY_LIMIT = 1024 * 1024

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ requestIdLogLabel: REQUEST_ID_LOG_LABEL }),
    bodyLimit: BODY_LIMIT,
    // Honour a caller's request id when it is sane, so logs correlate across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('req')
    },
    ajv: {
      // Validation must reject, not repair: unknown fields are 400s (SPEC §3.1) and a number sent
      // as a string is a wrong type.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true }
    },
    routerOptions: { maxParamLength: 256 },
    // Errors the router raises before any hook (a malformed URL component → 400, an over-long
    // path parameter → 414) are problem+json like every other error.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', String(request.id))
      sendProblem(request, reply, toProblem(error) ?? new ProblemError('invalid_request', error.message))
    }
  })

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id))
  })

  await registerSecurityHeaders(app, options.corsOrigins ?? [])
  // JSON only (SPEC §5: anything else → 415); Fastify accepts text/plain by default.
  app.removeContentTypeParser('text/plain')
  // JSON and RFC 7396 merge patches (application/merge-patch+json) share one parser: bounded depth,
  // prototype-poisoning protection, no NUL or lone surrogates; long URLs → 414.
  registerInputLimits(app)
  // A POST without a body (restore, resolve, an empty create) is an empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH')) request.body = {}
  })

  registerProblemHandlers(app)
  const routeTable = trackRoutes(app)
  registerSchemas(app)

  const now = options.now ?? (() => new Date())
  const operations = new RecordOperations(options.database, now)
  // Hook order matters: authentication (in registerRoutes), then the rate limit (it needs the
  // caller), then — once the body is valid — the idempotency key.
  registerRoutes(app, { operations, authenticate: createAuthenticator(options.auth) })
  if (options.rateLimit) registerRateLimit(app, options.rateLimit)
  registerIdempotency(app, options.database, now, options.idempotency ?? IDEMPOTENCY_DEFAULTS)
  registerMetrics(app, options.database, { processMetrics: options.processMetrics ?? false, token: options.metricsToken ?? null })
  registerHealth(app, options.database)
  registerOpenApi(app)
  await registerExplorer(app, options.explorer)
  registerFallbacks(app, routeTable)
  return app
}

type RouteTable = Array<{ pattern: RegExp, method: string }>

function trackRoutes (app: FastifyInstance): RouteTable {
  const routes: RouteTable = []
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp('^' + route.url.replace(/:[^/]+/g, '[^/]+') + '/?$')
    for (const method of [route.method].flat()) routes.push({ pattern, method })
  })
  return routes
}

/** 404 for unknown paths, 405 (with Allow) for a known path and the wrong method. */
function registerFallbacks (app: FastifyInstance, routes: RouteTable): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))]
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return sendProblem(request, reply, new ProblemError('method_not_allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}.`))
    }
    return sendProblem(request, reply, new ProblemError('not_found', `No route ${request.method} ${path}.`))
  })
}
