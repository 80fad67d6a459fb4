import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl on a spare port, in a temp
// directory), so a test can stop and start the database under a running service without touching
// the machine's shared server. initdb refuses to run as root, so as root it runs as `postgres`.

export interface PrivateCluster {
  url: string
  start(): void
  /** `fast` ends sessions and rolls back open transactions, like an operator's stop. */
  stop(mode?: 'fast' | 'immediate'): void
  destroy(): void
}

function findBinary (name: string): string | null {
  const dirs = ['/usr/local/bin', '/usr/local/pgsql/bin']
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse() : []
  for (const v of versions) dirs.push(`/usr/lib/postgresql/${v}/bin`)
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name)
  return null
}

const asRoot = process.getuid?.() === 0

function run (binary: string, args: string[]): void {
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'pipe' })
  else execFileSync(binary, args, { stdio: 'pipe' })
}

/** Why a private cluster cannot be made here, or null when it can. */
export function privateClusterUnavailable (): string | null {
  if (!findBinary('initdb') || !findBinary('pg_ctl')) return 'initdb/pg_ctl not found'
  if (asRoot) {
    try { execFileSync('id', ['postgres'], { stdio: 'pipe' }) } catch { return 'running as root and there is no postgres user for initdb' }
  }
  return null
}

export function createPrivateCluster (port: number): PrivateCluster {
  const initdb = findBinary('initdb')!
  const pgCtl = findBinary('pg_ctl')!
  const dir = mkdtempSync(join(tmpdir(), 'posture-pg-'))
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'data')
  run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  let running = false
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start () {
      run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'])
      running = true
    },
    stop (mode = 'fast') {
      run(pgCtl, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'])
      running = false
    },
    destroy () {
      if (running) {
        try { cluster.stop('immediate') } catch {}
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return cluster
}
