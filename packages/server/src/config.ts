import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { AuthConfig } from './http/auth.ts'
import type { RateLimitSettings } from './http/rate-limit.ts'

// Configuration comes from environment variables only (SPEC §1); this is the one place that
// reads them.

export interface Config {
  host: string
  port: number
  databaseUrl: string
  production: boolean
  auth: AuthConfig
  /** True when the JWT secret was generated for development (so a dev token may be printed). */
  devSecret: boolean
  dataDir: string
  logLevel: string
  /** PostgreSQL pool size. */
  poolSize: number
  /** Token bucket per tenant/app; null when RATE_LIMIT_PER_SECOND=0. */
  rateLimit: RateLimitSettings | null
  /** CORS_ORIGINS, comma-separated; empty: CORS off. */
  corsOrigins: string[]
  /** METRICS_TOKEN: when set, GET /metrics needs it as a bearer token; null: /metrics is open. */
  metricsToken: string | null
}

export class ConfigError extends Error {}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production'
  const dataDir = env.POSTURE_DATA_DIR ?? './data'
  const port = Number(env.PORT ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`PORT must be a port number (got ${env.PORT})`)
  const auth: AuthConfig = {
    ...(env.JWT_SECRET ? { jwtSecret: env.JWT_SECRET } : {}),
    ...(env.JWT_JWKS_URL ? { jwksUrl: env.JWT_JWKS_URL } : {}),
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {})
  }
  let devSecret = false
  if (!auth.jwtSecret && !auth.jwksUrl) {
    if (production) {
      throw new ConfigError('NODE_ENV=production needs explicit JWT settings: set JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256/EdDSA).')
    }
    auth.jwtSecret = developmentSecret(dataDir)
    devSecret = true
  }
  if (auth.jwtSecret && Buffer.byteLength(auth.jwtSecret) < 32 && production) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes (RFC 7518 §3.2).')
  }
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL ?? `sqlite:${join(dataDir, 'posture.db')}`,
    production,
    auth,
    devSecret,
    dataDir,
    logLevel: env.LOG_LEVEL ?? (production ? 'info' : 'info'),
    poolSize: Number(env.DATABASE_POOL_SIZE ?? 10),
    rateLimit: rateLimitConfig(env),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    metricsToken: env.METRICS_TOKEN ? env.METRICS_TOKEN : null
  }
}

/** RATE_LIMIT_PER_SECOND (default 50; 0 turns it off), RATE_LIMIT_BURST (default 2 s worth), REDIS_URL. */
function rateLimitConfig (env: NodeJS.ProcessEnv): RateLimitSettings | null {
  const perSecond = Number(env.RATE_LIMIT_PER_SECOND ?? 50)
  if (!Number.isFinite(perSecond) || perSecond < 0) throw new ConfigError(`RATE_LIMIT_PER_SECOND must be a number ≥ 0 (got ${env.RATE_LIMIT_PER_SECOND})`)
  if (perSecond === 0) return null
  const burst = Number(env.RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(perSecond * 2)))
  if (!Number.isInteger(burst) || burst < 1) throw new ConfigError(`RATE_LIMIT_BURST must be a whole number ≥ 1 (got ${env.RATE_LIMIT_BURST})`)
  return { perSecond, burst, ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}) }
}

/** Generated once and kept under the data directory, so dev tokens survive restarts. */
function developmentSecret (dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}
