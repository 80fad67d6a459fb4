import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { random, vulnerabilityInput } from './seed-data.ts'

// The load generator: one autocannon scenario against a running service, in a process of its own
// (so it does not share a CPU budget with the server's event loop). Reads the scenario from the
// JSON file named by argv[2] and prints the result as one JSON line.

export interface LoadScenario {
  url: string
  method: 'GET' | 'POST' | 'PATCH'
  /** Per tenant: its bearer token and the paths to request (one is picked at random each time). */
  callers: Array<{ token: string, paths: string[] }>
  /** How each request's body is made: none, a new vulnerability, or a merge patch that changes a field. */
  body: 'none' | 'vulnerability' | 'patch'
  connections: number
  seconds: number
  warmupSeconds: number
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  errors: number
  bytesPerResponse: number
}

export async function runLoad (scenario: LoadScenario): Promise<LoadResult> {
  const rng = random(99)
  let n = 0
  const makeBody = (): string | undefined => {
    if (scenario.body === 'vulnerability') return JSON.stringify(vulnerabilityInput(rng, Date.now()))
    if (scenario.body === 'patch') return JSON.stringify({ assigned_to: `usr_${n++}` })
    return undefined
  }
  const result = await autocannon({
    url: scenario.url,
    connections: scenario.connections,
    duration: scenario.seconds,
    ...(scenario.warmupSeconds > 0 ? { warmup: { connections: scenario.connections, duration: scenario.warmupSeconds } } : {}),
    requests: [{
      setupRequest: (request: any) => {
        const caller = scenario.callers[Math.floor(rng() * scenario.callers.length)]!
        const body = makeBody()
        return {
          ...request,
          method: scenario.method,
          path: caller.paths[Math.floor(rng() * caller.paths.length)],
          headers: { authorization: `Bearer ${caller.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body } : {})
        }
      }
    }]
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const scenario = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadScenario
  console.log(JSON.stringify(await runLoad(scenario)))
}
