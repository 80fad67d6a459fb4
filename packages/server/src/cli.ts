#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfig, ConfigError } from './config.ts'
import { openDatabase } from './store/database.ts'
import { migrate } from './store/migrations.ts'
import { shutDownOnSignals, startServer } from './server.ts'
import { parseTtl, signToken } from './http/auth.ts'
import { ALL_SCOPES } from './records/caller.ts'

// posture serve | migrate | token (SPEC §1).

const USAGE = `Usage:
  posture serve                 run the API (migrates first)
  posture migrate               apply pending database migrations
  posture token --tenant T --sub S [--app A] [--scope "risk:read risk:write"] [--ttl 1h]
                                print an HS256 JWT signed with JWT_SECRET`

async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve': return await serve()
    case 'migrate': return await runMigrate()
    case 'token': return await token(rest)
    case undefined: case 'help': case '--help': case '-h':
      console.log(USAGE)
      return command === undefined ? 1 : 0
    default:
      console.error(`Unknown command ${command}.\n${USAGE}`)
      return 1
  }
}

async function serve (): Promise<number> {
  const config = loadConfig()
  const server = await startServer(config)
  const lines = [
    `Posture is serving ${server.url}/api/v1 on ${server.database.dialect}`,
    `  explorer:  ${server.url}/explorer`,
    `  API docs:  ${server.url}/docs   (OpenAPI: ${server.url}/openapi.json)`
  ]
  if (server.devToken) {
    lines.push('  development token (tenant "dev", all scopes, 30 days; the explorer offers it too):', `  ${server.devToken.token}`)
  }
  console.log(lines.join('\n'))
  shutDownOnSignals(server)
  return -1
}

async function runMigrate (): Promise<number> {
  const config = loadConfig()
  const database = openDatabase(config.databaseUrl)
  try {
    const applied = await migrate(database)
    console.log(applied.length === 0 ? 'The schema is up to date.' : `Applied: ${applied.join(', ')}`)
    return 0
  } finally {
    await database.close()
  }
}

async function token (args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      sub: { type: 'string' },
      app: { type: 'string' },
      scope: { type: 'string', default: ALL_SCOPES },
      ttl: { type: 'string', default: '1h' }
    },
    strict: true
  })
  if (!values.tenant || !values.sub) {
    console.error(`--tenant and --sub are required.\n${USAGE}`)
    return 1
  }
  const config = loadConfig()
  if (!config.auth.jwtSecret) {
    console.error('posture token signs with JWT_SECRET, which is not set (tokens for a JWKS come from your identity provider).')
    return 1
  }
  console.log(await signToken(config.auth.jwtSecret, {
    tenant: values.tenant,
    sub: values.sub,
    scope: values.scope!,
    ttlSeconds: parseTtl(values.ttl!),
    ...(values.app ? { app: values.app } : {}),
    ...(config.auth.issuer ? { issuer: config.auth.issuer } : {}),
    ...(config.auth.audience ? { audience: config.auth.audience } : {})
  }))
  return 0
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code
}, (error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error)
  process.exitCode = 1
})
