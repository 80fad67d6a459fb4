import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testBackends } from '../../server/test/support/backends.ts'
import { startRealServer } from './support/real-server.ts'
import type { RealServer } from './support/real-server.ts'

// The README's examples run as written: each ```js block is an excerpt of examples/tour.mjs,
// and the tour runs (twice, as a newcomer re-running it would) against the real service through
// the installed `@posture/sdk` package.

const sdkRoot = resolve(fileURLToPath(import.meta.url), '../..')
const tourPath = resolve(sdkRoot, 'examples/tour.mjs')

test('every js example of the README is an excerpt of examples/tour.mjs', () => {
  const readme = readFileSync(resolve(sdkRoot, 'README.md'), 'utf8')
  const tour = readFileSync(tourPath, 'utf8')
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!)
  assert.ok(blocks.length >= 10, `found ${blocks.length} js blocks`)
  for (const block of blocks) assert.ok(tour.includes(block), `README example not in examples/tour.mjs:\n${block}`)
})

describe('examples/tour.mjs against the real service', () => {
  let server: RealServer
  before(async () => {
    const [sqlite] = await testBackends()
    server = await startRealServer(sqlite!)
  })
  after(async () => { await server?.close() })

  test('runs to the end, twice', async () => {
    const env = { ...process.env, POSTURE_URL: server.baseUrl, POSTURE_TOKEN: await server.app.token() }
    for (let run = 1; run <= 2; run++) {
      // Asynchronously: the service answering the tour runs in this process.
      const result = await promisify(execFile)(process.execPath, [tourPath], { env, encoding: 'utf8', timeout: 60_000 })
      assert.equal(result.stderr, '', `run ${run}`)
      assert.match(result.stdout, /^vul_\w+ critical 9\.8 /)
      assert.match(result.stdout, /412 precondition_failed/)
      assert.match(result.stdout, /16 high/)
      assert.match(result.stdout, /409 conflict req_/)
      assert.match(result.stdout, /404 No such RiskItem\./)
    }
  })
})
