import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { testBackends } from '../../server/test/support/backends.ts'
import { buildDomains } from '../src/openapi.ts'
import type { OpenApiDocument, Resource } from '../src/openapi.ts'
import type { CallSpec } from '../src/call-spec.ts'
import { curlSnippet, sdkSnippet } from '../src/snippets.ts'
import type { ExplorerServer } from './support/server.ts'
import { startExplorerServer } from './support/server.ts'

// The snippets the explorer offers are ready to copy: the SDK code runs as a Node.js module and
// the curl command runs in a shell, against a live server, with awkward values (quotes, a
// dollar sign, non-ASCII) that would break naive quoting.

const run = promisify(execFile)
const backends = await testBackends()
const AWKWARD = 'O\'Reilly "quoted" $HOME \\ café — 100%'

for (const backend of backends) {
  describe(`snippets run as written (${backend.name})`, { skip: backend.skip }, () => {
    let server: ExplorerServer
    let vulnerabilities: Resource
    let env: NodeJS.ProcessEnv
    before(async () => {
      server = await startExplorerServer(backend)
      const doc = await (await fetch(`${server.url}/openapi.json`)).json() as OpenApiDocument
      vulnerabilities = buildDomains(doc).flatMap((d) => d.resources).find((r) => r.key === 'vulnerabilities')!
      env = { ...process.env, POSTURE_TOKEN: await server.token() }
    })
    after(async () => { await server?.close() })

    const spec = (name: string, rest: Partial<CallSpec>): CallSpec => ({
      resource: vulnerabilities, operation: vulnerabilities.operations.find((o) => o.name === name)!, params: {}, options: {}, ...rest
    })

    test('the curl command creates exactly the body the form holds', { skip: existsSync('/usr/bin/curl') ? false : 'no /usr/bin/curl' }, async () => {
      const command = curlSnippet(spec('create', { body: { title: AWKWARD, severity: 'high', cvss_score: 7.5 } }), server.url)
      const { stdout } = await run('sh', ['-c', `${command} --silent --show-error`], { env })
      const record = JSON.parse(stdout) as Record<string, unknown>
      assert.equal(record.title, AWKWARD)
      assert.equal(record.severity, 'high')
      assert.equal(record.cvss_score, 7.5)
    })

    test('the SDK code runs as a module and makes the same call', async () => {
      const module = fileURLToPath(new URL(`./.snippet-${backend.name}-${process.pid}.mjs`, import.meta.url))
      const code = sdkSnippet(spec('create', { body: { title: AWKWARD, cve_id: 'CVE-2024-3094', cvss_score: 9.8 }, options: { idempotencyKey: `snippet-${backend.name}` } }), server.url)
      writeFileSync(module, `${code}\nconsole.log(JSON.stringify(vulnerability))\n`)
      try {
        const { stdout } = await run(process.execPath, [module], { env })
        const record = JSON.parse(stdout) as Record<string, unknown>
        assert.equal(record.title, AWKWARD)
        assert.equal(record.cve_id, 'CVE-2024-3094')
        const list = sdkSnippet(spec('list', { params: { severity: 'critical', cvss_score: { gte: 9 }, status: { in: ['open', 'in_progress'] } } }), server.url)
        writeFileSync(module, `${list}\nconsole.log(JSON.stringify(page.data.map((r) => r.id)))\n`)
        const listed = JSON.parse((await run(process.execPath, [module], { env })).stdout) as string[]
        assert.equal(record.severity, 'critical')
        assert.deepEqual(listed, [record.id], 'only the critical, open record matches (the curl one is high)')
      } finally {
        rmSync(module, { force: true })
      }
    })
  })
}
