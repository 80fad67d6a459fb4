import { Redis } from 'ioredis'

// Token buckets (SPEC §5 `rate_limited`): each bucket holds up to `burst` tokens and refills at
// `perSecond`; a request takes one. In memory for one instance, or in Redis — one atomic Lua
// script per request, on Redis's clock — so that every instance shares the tenant's bucket.

export interface BucketSettings {
  perSecond: number
  burst: number
}

export interface TakeResult {
  allowed: boolean
  /** Tokens left after this request (fractional). */
  tokens: number
}

export interface TokenBuckets {
  take(key: string): Promise<TakeResult>
  /** Resolves once the bucket store can answer (or after `waitMs`, failing open meanwhile). */
  ready(waitMs: number): Promise<void>
  close(): Promise<void>
}

export function memoryBuckets (settings: BucketSettings, now: () => number = Date.now): TokenBuckets {
  const buckets = new Map<string, { tokens: number, at: number }>()
  return {
    async take (key) {
      const t = now()
      const bucket = buckets.get(key) ?? { tokens: settings.burst, at: t }
      const tokens = Math.min(settings.burst, bucket.tokens + ((t - bucket.at) / 1000) * settings.perSecond)
      const allowed = tokens >= 1
      const left = allowed ? tokens - 1 : tokens
      // A full bucket is the default state: forget it, so idle tenants cost no memory.
      if (left >= settings.burst) buckets.delete(key)
      else buckets.set(key, { tokens: left, at: t })
      return { allowed, tokens: left }
    },
    async ready () {},
    async close () { buckets.clear() }
  }
}

const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return { allowed, tostring(tokens) }
`

export interface RedisBucketOptions {
  url: string
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix: string
  /** Called when Redis cannot answer; the request is then let through (fail open). */
  onError?: (error: unknown) => void
}

type TakeCommand = (key: string, perSecond: number, burst: number) => Promise<[number, string]>

export function redisBuckets (settings: BucketSettings, options: RedisBucketOptions): TokenBuckets {
  // No offline queue and one retry: while Redis is down, requests are not held up behind it.
  const redis = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
  redis.on('error', (error) => options.onError?.(error))
  redis.defineCommand('postureTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT })
  const take = (redis as unknown as { postureTakeToken: TakeCommand }).postureTakeToken.bind(redis)
  return {
    async take (key) {
      try {
        const [allowed, tokens] = await take(options.prefix + key, settings.perSecond, settings.burst)
        return { allowed: allowed === 1, tokens: Number(tokens) }
      } catch (error) {
        // Availability over strictness: a Redis outage must not take the API down with it.
        options.onError?.(error)
        return { allowed: true, tokens: settings.burst }
      }
    },
    async ready (waitMs) {
      if (redis.status === 'ready') return
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs)
        redis.once('ready', () => { clearTimeout(timer); resolve() })
      })
    },
    async close () {
      await redis.quit().catch(() => redis.disconnect())
    }
  }
}
