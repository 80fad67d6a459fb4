import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TEST_SECRET } from './app.ts'

// The real service as a child process (`posture serve` from the sources), for tests that kill it:
// SIGKILL mid-load, SIGTERM with requests in flight.

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Everything the process printed (stdout and stderr). */
  output(): string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export async function startServerProcess (options: { port: number, databaseUrl: string, env?: Record<string, string> }): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: TEST_SECRET,
      RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...options.env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += String(chunk) })
  child.stderr!.on('data', (chunk) => { output += String(chunk) })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  await new Promise<void>((resolve, reject) => {
    const check = () => { if (output.includes('Posture is serving')) { cleanup(); resolve() } }
    const onExit = () => { cleanup(); reject(new Error(`the server exited before it was ready:\n${output}`)) }
    const cleanup = () => { child.stdout!.off('data', check); child.off('exit', onExit) }
    child.stdout!.on('data', check)
    child.on('exit', onExit)
  })
  return { url: `http://127.0.0.1:${options.port}`, child, output: () => output, exited }
}
