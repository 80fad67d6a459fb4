import type { FastifyInstance } from 'fastify'
import type { Database } from '../store/database.ts'
import { ProblemError } from '../errors.ts'
import { sendProblem } from './problems.ts'

// Liveness (the process answers) and readiness (the database answers), for orchestrators.
export function registerHealth (app: FastifyInstance, database: Database): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (request, reply) => {
    try {
      await database.ping()
      return { status: 'ready', database: database.dialect }
    } catch {
      return sendProblem(request, reply, new ProblemError('unavailable', 'The database is unreachable.', undefined, { 'retry-after': '1' }))
    }
  })
}
