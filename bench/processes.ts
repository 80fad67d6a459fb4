import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Child processes of the benchmark: the service, the bare Fastify floor, and the load and
// raw-floor runners (each in its own process so that none shares an event loop with another).

const TSX = ['--import', 'tsx']
const scratch = mkdtempSync(join(tmpdir(), 'posture-bench-'))

export interface Child {
  process: ChildProcess
  output: () => string
  stop(): Promise<void>
}

export function startChild (args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  return {
    process: child,
    output: () => output,
    async stop () {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }
}

export async function waitForHttp (url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (child.process.exitCode !== null) throw new Error(`process exited before listening:\n${child.output()}`)
    try {
      const response = await fetch(url)
      if (response.status < 500) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.output()}`)
}

/** Runs a bench script (load.ts, raw-floor.ts) with a JSON config and returns its JSON answer. */
export async function runScript<T> (script: string, config: unknown): Promise<T> {
  const file = join(scratch, `${script.replace(/\W/g, '_')}-${Date.now()}.json`)
  writeFileSync(file, JSON.stringify(config))
  const child = startChild([...TSX, script, file])
  const code = await new Promise<number | null>((resolve) => child.process.once('exit', resolve))
  const lines = child.output().trim().split('\n')
  if (code !== 0) throw new Error(`${script} failed (${code}):\n${child.output()}`)
  return JSON.parse(lines[lines.length - 1]!) as T
}

/** Resident set size of a process in MB (Linux /proc), or null where unavailable. */
export function rssMb (pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)
    return kb ? Number(kb[1]) / 1024 : null
  } catch {
    return null
  }
}

/** Samples a process's RSS while `work` runs; returns the work's result and the peak. */
export async function withPeakRss<T> (pid: number, work: () => Promise<T>): Promise<{ result: T, peakMb: number | null }> {
  let peak: number | null = null
  const timer = setInterval(() => {
    const now = rssMb(pid)
    if (now !== null) peak = Math.max(peak ?? 0, now)
  }, 250)
  try {
    return { result: await work(), peakMb: peak }
  } finally {
    clearInterval(timer)
  }
}

/** User + system CPU seconds a process has used so far (Linux /proc; clock ticks of 1/100 s). */
export function cpuSeconds (pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}
