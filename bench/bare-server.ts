import Fastify from 'fastify'

// The HTTP floor: a bare Fastify route that returns a fixed JSON body of a given size — what
// Fastify alone costs on this machine, with no auth, database or serialization work.
// Usage: node --import tsx bench/bare-server.ts PORT BYTES

const port = Number(process.argv[2])
const bytes = Number(process.argv[3])
const body = JSON.stringify({ data: 'x'.repeat(Math.max(0, bytes - 11)) })
const app = Fastify({ logger: false })
app.get('/bare', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body))
await app.listen({ host: '127.0.0.1', port })
console.log('ready')
