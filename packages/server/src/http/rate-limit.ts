import type { FastifyInstance } from 'fastify'
import { ProblemError } from '../errors.ts'
import { memoryBuckets, redisBuckets } from './token-buckets.ts'
import type { BucketSettings, TokenBuckets } from './token-buckets.ts'

// Rate limiting per tenant, and per app for integration tokens (SPEC §5): a token bucket per
// caller key, checked after authentication. Headers follow the IETF RateLimit header fields draft
// (RateLimit-Limit / -Remaining / -Reset, and RateLimit-Policy); a refused request is a 429
// problem+json with Retry-After (RFC 9110 §10.2.3).
//
// @fastify/rate-limit was considered: it counts fixed windows, which allow bursts of twice the
// limit at a window edge and cannot express "N per second with a burst of B"; its Redis store is
// keyed the same way. A token bucket is a short Lua script, so it is done here.

export interface RateLimitSettings extends BucketSettings {
  /** Share the buckets through Redis (several instances, one limit). */
  redisUrl?: string
  /** Prefix of the Redis keys. */
  redisPrefix?: string
}

export function registerRateLimit (app: FastifyInstance, settings: RateLimitSettings): void {
  let lastWarning = 0
  const buckets: TokenBuckets = settings.redisUrl
    ? redisBuckets(settings, {
      url: settings.redisUrl,
      prefix: settings.redisPrefix ?? 'posture:ratelimit:',
      onError: (error) => {
        // Once per 10 s at most: a Redis outage must not flood the logs with one line per request.
        const now = Date.now()
        if (now - lastWarning < 10_000) return
        lastWarning = now
        app.log.warn({ err: error }, 'rate limit store unavailable; letting requests through')
      }
    })
    : memoryBuckets(settings)
  const policy = `${settings.burst};w=${Math.max(1, Math.round(settings.burst / settings.perSecond))}`

  // Registered after the authentication hook, so the caller is known; public routes (health,
  // docs, metrics) have no scope and are not limited.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config?.scope || !request.caller) return
    const { tenantId, appId } = request.caller
    const key = appId === null ? `t:${tenantId}` : `t:${tenantId}:a:${appId}`
    const { allowed, tokens } = await buckets.take(key)
    const remaining = Math.floor(tokens)
    const untilFull = Math.ceil((settings.burst - tokens) / settings.perSecond)
    reply.header('ratelimit-policy', policy)
    reply.header('ratelimit-limit', String(settings.burst))
    reply.header('ratelimit-remaining', String(remaining))
    reply.header('ratelimit-reset', String(untilFull))
    if (!allowed) {
      const retryAfter = Math.max(1, Math.ceil((1 - tokens) / settings.perSecond))
      throw new ProblemError('rate_limited',
        `Too many requests for this ${appId === null ? 'tenant' : 'application'}: ${settings.perSecond}/s with bursts of ${settings.burst}; retry in ${retryAfter} s.`,
        undefined, { 'retry-after': String(retryAfter) })
    }
  })

  app.addHook('onReady', async () => { await buckets.ready(3000) })
  app.addHook('onClose', async () => { await buckets.close() })
}
