import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// A scripted HTTP server for failures a real service rarely produces on demand (a 503 burst, a
// dropped connection, Retry-After, a slow response): each request is answered by the next step.

export interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** How to answer one request: a response, or `drop` (destroy the socket), or `hang` (never answer). */
export type Step =
  | { status: number, body?: unknown, headers?: Record<string, string> }
  | 'drop'
  | 'hang'

export interface FakeServer {
  baseUrl: string
  /** Every request received, in order. */
  seen: Seen[]
  close(): Promise<void>
}

export const problem = (status: number, code: string, detail = code) =>
  ({ type: `urn:posture:problem:${code}`, title: code, status, detail, code, request_id: `req_${status}` })

export async function startFakeServer (steps: Step[]): Promise<FakeServer> {
  const seen: Seen[] = []
  const hanging: ServerResponse[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      const step = steps.shift() ?? { status: 500, body: problem(500, 'internal', 'script exhausted') }
      if (step === 'drop') return req.socket.destroy()
      if (step === 'hang') { hanging.push(res); return }
      const json = step.body === undefined ? '' : JSON.stringify(step.body)
      const type = step.status >= 400 ? 'application/problem+json' : 'application/json'
      res.writeHead(step.status, { 'content-type': type, 'x-request-id': `req_fake_${seen.length}`, ...step.headers })
      res.end(json)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
