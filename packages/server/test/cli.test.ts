import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeJwt } from 'jose'

// The `posture` command line (SPEC §1): serve, migrate, token, and the production guard.

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

function env (extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, ...extra }
  for (const name of ['DATABASE_URL', 'JWT_SECRET', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'NODE_ENV', 'PORT']) if (!(name in extra)) delete out[name]
  return out
}

function run (args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { env: env(extra), encoding: 'utf8' })
}

test('posture token mints a JWT with the given claims', () => {
  const res = run(['token', '--tenant', 'acme', '--sub', 'alice', '--app', 'app_scanner', '--scope', 'risk:read', '--ttl', '2h'], { JWT_SECRET: 's'.repeat(40) })
  assert.equal(res.status, 0, res.stderr)
  const claims = decodeJwt(res.stdout.trim())
  assert.equal(claims.tenant_id, 'acme')
  assert.equal(claims.sub, 'alice')
  assert.equal(claims.app_id, 'app_scanner')
  assert.equal(claims.scope, 'risk:read')
  assert.equal((claims.exp as number) - (claims.iat as number), 7200)
})

test('posture token without --tenant fails with usage', () => {
  const res = run(['token', '--sub', 'alice'], { JWT_SECRET: 's'.repeat(40) })
  assert.equal(res.status, 1)
  assert.match(res.stderr, /--tenant and --sub are required/)
})

test('posture migrate applies the schema once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-cli-'))
  try {
    const url = `sqlite:${join(dir, 'p.db')}`
    const first = run(['migrate'], { DATABASE_URL: url, POSTURE_DATA_DIR: dir })
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /Applied: 001_records/)
    const second = run(['migrate'], { DATABASE_URL: url, POSTURE_DATA_DIR: dir })
    assert.match(second.stdout, /up to date/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('NODE_ENV=production without JWT settings refuses to start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-cli-'))
  try {
    const res = run(['serve'], { NODE_ENV: 'production', POSTURE_DATA_DIR: dir, PORT: '0' })
    assert.equal(res.status, 1)
    assert.match(res.stderr, /NODE_ENV=production needs explicit JWT settings/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('posture serve migrates, prints a working development token, keeps its secret, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-cli-'))
  try {
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], { env: env({ POSTURE_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' }) })
      let out = ''
      child.stdout.on('data', (chunk) => { out += chunk })
      const printed = await new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)))
        const timer = setInterval(() => {
          if (/development token[^\n]*\n\s+\S+/.test(out)) {
            clearInterval(timer)
            resolve(out)
          }
        }, 50)
      })
      const url = /serving (http:\/\/[^/\s]+)\/api\/v1 on sqlite/.exec(printed)![1]!
      assert.match(printed, /explorer: +http:\/\/[^\s]+\/explorer/)
      const token = /development token[^\n]*\n\s+(\S+)/.exec(printed)![1]!
      const claims = decodeJwt(token)
      assert.equal(claims.tenant_id, 'dev')
      assert.match(String(claims.scope), /risk:read/)
      const res = await fetch(`${url}/api/v1/vulnerabilities`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(res.status, 200)
      assert.equal((await fetch(`${url}/readyz`)).status, 200)
      child.removeAllListeners('exit')
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      assert.equal(await exited, 0)
    }
    assert.ok(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim().length >= 32)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
