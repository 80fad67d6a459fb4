import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { problem } from '../errors.ts'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Database } from '../store/database.ts'

// GET /metrics in the Prometheus text format (SPEC §7): requests and their latency by route
// pattern (never the raw URL, which holds ids) and status, the database pool, and the process's
// default metrics. Each app has its own registry, so several apps in one process do not collide.

export interface MetricsOptions {
  /** Process-wide metrics (CPU, memory, event loop): once per process, so only the server asks. */
  processMetrics?: boolean
  /**
   * A bearer token the scraper must send (Prometheus `authorization: { credentials: … }`): route
   * patterns, volumes and pool state are for the operator, not for whoever can reach the port.
   */
  token?: string | null
}

export function registerMetrics (app: FastifyInstance, database: Database, options: MetricsOptions = {}): Registry {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry]
  })
  const pool = new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL; SQLite has one embedded connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect () {
      const stats = database.poolStats()
      const figures = stats ?? { total: 1, idle: 0, waiting: 0 }
      this.set({ state: 'total' }, figures.total)
      this.set({ state: 'idle' }, figures.idle)
      this.set({ state: 'in_use' }, figures.total - figures.idle)
      this.set({ state: 'waiting' }, figures.waiting)
    }
  })
  void pool

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      // The route pattern (`/api/v1/vulnerabilities/:id`); unknown paths share one label.
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode)
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  const expected = options.token ? createHash('sha256').update(options.token).digest() : null
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const sent = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? ''
      // Compared as digests: constant time, whatever the lengths.
      if (!timingSafeEqual(createHash('sha256').update(sent).digest(), expected)) {
        throw problem.unauthenticated('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.')
      }
    }
    reply.type(registry.contentType)
    return await registry.metrics()
  })
  return registry
}
