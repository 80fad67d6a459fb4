import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { AuthConfig } from './http/auth.ts'

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
    poolSize: Number(env.DATABASE_POOL_SIZE ?? 10)
  }
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
