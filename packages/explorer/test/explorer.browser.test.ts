import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { testBackends } from '../../server/test/support/backends.ts'
import { browserSkipReason, launchBrowser } from './support/browser.ts'
import type { ExplorerServer } from './support/server.ts'
import { startExplorerServer } from './support/server.ts'

// The explorer in headless Chromium against a real, listening server: a vulnerability created
// through the form, found with a filtered list, resolved (first wrongly, to see the error), and
// its history read — on every backend. Every request the page makes must stay on the server's
// origin.

const skip = browserSkipReason()
const backends = await testBackends()

async function setToken (page: Page, token: string): Promise<void> {
  await page.click('#token-button')
  await page.fill('#token-input', token)
  await page.click('[data-testid="token-save"]')
  await page.waitForSelector('dialog.token-dialog', { state: 'hidden' })
}

async function run (page: Page): Promise<{ status: string, body: string }> {
  await page.click('[data-testid="run"]')
  const status = await page.locator('[data-testid="response-status"]').textContent({ timeout: 10_000 })
  const body = await page.locator('[data-testid="response-body"]').textContent()
  return { status: status ?? '', body: body ?? '' }
}

async function openTry (page: Page, base: string, resource: string, operation: string, query = ''): Promise<void> {
  await page.goto(`${base}/explorer#/${resource}/try/${operation}${query ? `?${query}` : ''}`)
  await page.waitForSelector('[data-testid="run"]')
}

for (const backend of backends) {
  describe(`explorer in Chromium (${backend.name})`, { skip: skip || backend.skip }, () => {
    let server: ExplorerServer
    let browser: Browser
    let context: BrowserContext
    let page: Page
    const requested: string[] = []
    const problems: string[] = []

    before(async () => {
      server = await startExplorerServer(backend)
      browser = await launchBrowser()
      context = await browser.newContext()
      // Anything for another host is recorded and refused: the explorer must need none of it.
      await context.route('**/*', async (route) => {
        requested.push(route.request().url())
        if (new URL(route.request().url()).origin === server.url) await route.continue()
        else await route.abort()
      })
      page = await context.newPage()
      page.setDefaultTimeout(10_000)
      page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
      page.on('pageerror', (error) => problems.push(error.message))
      await page.goto(`${server.url}/explorer`)
      await page.waitForSelector('body[data-ready="true"]')
      await setToken(page, await server.token())
    })

    after(async () => {
      await browser?.close()
      await server?.close()
    })

    test('the domain and resource pages are generated from /openapi.json', async () => {
      const doc = await (await fetch(`${server.url}/openapi.json`)).json() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }
      await page.goto(`${server.url}/explorer#/`)
      await page.waitForSelector('h1')
      assert.equal(await page.textContent('h1'), 'Risk & Compliance')
      assert.match(await page.textContent('main') ?? '', /client\.risk · client\.vulnerabilities · client\.complianceControls/)
      await page.goto(`${server.url}/explorer#/vulnerabilities`)
      await page.waitForSelector('[data-testid="field-table"]')
      const rows = await page.locator('[data-testid="field-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.field))
      assert.deepEqual(rows, Object.keys(doc.components.schemas.Vulnerability!.properties))
      const severity = await page.textContent('[data-testid="field-table"] tr[data-field="severity"]')
      for (const value of ['critical', 'high', 'medium', 'low', 'info']) assert.ok(severity?.includes(value), `severity lists ${value}`)
      assert.match(await page.textContent('[data-testid="field-table"] tr[data-field="id"]') ?? '', /read-only/)
      assert.match(await page.textContent('[data-testid="sdk-overview"]') ?? '', /await client\.risk\.vulnerabilities\.create\(\{/)
      assert.match(await page.textContent('main') ?? '', /\/api\/v1\/vulnerabilities\/\{id\}\/resolve/)
    })

    test('create through the form, find it with a filtered list, resolve it, read its history', async () => {
      const title = `Explorer OpenSSL ${backend.name} ${Date.now()}`
      await openTry(page, server.url, 'vulnerabilities', 'create')
      await page.fill('[name="body.title"]', title)
      await page.fill('[name="body.cve_id"]', 'cve-2024-3094')
      await page.selectOption('[name="body.severity"]', 'critical')
      await page.fill('[name="body.discovered_at"]', '2026-03-01T09:30')
      // The snippets follow the form: the same call as SDK code and as curl.
      assert.match(await page.textContent('[data-testid="sdk-snippet"]') ?? '', /client\.risk\.vulnerabilities\.create\(\{[\s\S]*severity: "critical"/)
      assert.match(await page.textContent('[data-testid="curl-snippet"]') ?? '', /curl -X POST '.*\/api\/v1\/vulnerabilities'[\s\S]*"severity":"critical"/)
      const created = await run(page)
      assert.match(created.status, /^201/)
      const record = JSON.parse(created.body) as Record<string, unknown>
      assert.equal(record.title, title)
      assert.equal(record.cve_id, 'CVE-2024-3094')
      assert.equal(record.discovered_at, '2026-03-01T09:30:00.000Z')
      assert.equal(record.due_date, '2026-03-08T09:30:00.000Z', 'critical: 7-day SLA from discovered_at')
      // The request went out through the SDK, which sends an Idempotency-Key with every POST.
      await page.click('text=Request headers')
      assert.match((await page.textContent('.request table')) ?? '', /idempotency-key/i)

      await openTry(page, server.url, 'vulnerabilities', 'list')
      await page.fill('[name="query.search"]', title.split(' ').at(-1)!)
      await page.click('text=+ Add filter')
      await page.selectOption('.filter-row select[aria-label="Filter field"]', 'severity')
      await page.selectOption('.filter-row select[aria-label="Value for severity"]', 'critical')
      assert.match(await page.textContent('[data-testid="sdk-snippet"]') ?? '', /list\(\{ search: ".*", severity: "critical" \}\)/)
      const listed = await run(page)
      assert.match(listed.status, /^200/)
      assert.match(await page.textContent('[data-testid="request-line"]') ?? '', /GET .*\/api\/v1\/vulnerabilities\?.*severity=critical/)
      assert.match(await page.textContent('[data-testid="records"]') ?? '', new RegExp(String(record.id)))

      // A record in the list leads to its operations with the id filled in.
      await page.click(`[data-testid="records"] button:has-text("${String(record.id)}")`)
      await page.waitForSelector('[data-testid="run"]')
      assert.equal(await page.inputValue('[name="path.id"]'), record.id)

      await openTry(page, server.url, 'vulnerabilities', 'resolve', `id=${String(record.id)}`)
      await page.selectOption('[name="body.status"]', 'false_positive')
      const refused = await run(page)
      assert.match(refused.status, /^422/)
      assert.equal(JSON.parse(refused.body).errors[0].field, 'justification')
      assert.match(await page.textContent('[data-testid="outcome"]') ?? '', /UnprocessableEntityError/)
      assert.equal(await page.getAttribute('[name="body.justification"]', 'aria-invalid'), 'true')
      assert.ok(await page.locator('[data-field="body.justification"].invalid').isVisible())
      await page.fill('[name="body.justification"]', 'Scanner matched a backported package.')
      const resolved = await run(page)
      assert.match(resolved.status, /^200/)
      assert.equal(JSON.parse(resolved.body).status, 'false_positive')
      assert.equal(await page.getAttribute('[name="body.justification"]', 'aria-invalid'), null)

      await openTry(page, server.url, 'vulnerabilities', 'history', `id=${String(record.id)}`)
      const history = await run(page)
      assert.match(history.status, /^200/)
      const actions = await page.locator('[data-testid="history"] tbody tr td:nth-child(2)').allTextContents()
      assert.deepEqual(actions, ['resolve', 'create'])
      assert.match(await page.textContent('[data-testid="history"]') ?? '', /status: open → false_positive/)
    })

    test('a record leads to update, delete and restore with its ETag as If-Match; a stale one is a 412', async () => {
      const token = await server.token()
      const created = await (await fetch(`${server.url}/api/v1/risk-items`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Single region hosting' })
      })).json() as { id: string }
      await openTry(page, server.url, 'risk-items', 'get', `id=${created.id}`)
      assert.match((await run(page)).status, /^200/)
      await page.click('.record-actions a:has-text("update")')
      await page.waitForSelector('[name="body.likelihood"]')
      const etag = await page.inputValue('[name="header.If-Match"]')
      assert.ok(etag, 'If-Match is prefilled with the ETag')
      await page.selectOption('[name="body.likelihood"]', 'likely')
      await page.selectOption('[name="body.impact"]', 'major')
      assert.match(await page.textContent('[data-testid="sdk-snippet"]') ?? '', new RegExp(`update\\("${created.id}", \\{ likelihood: "likely", impact: "major" \\}, \\{ ifMatch: `))
      const updated = await run(page)
      assert.match(updated.status, /^200/)
      assert.equal(JSON.parse(updated.body).risk_score, 16)
      // The same If-Match again is stale now.
      const stale = await run(page)
      assert.match(stale.status, /^412/)
      assert.match(await page.textContent('[data-testid="outcome"]') ?? '', /PreconditionFailedError/)

      await openTry(page, server.url, 'risk-items', 'get', `id=${created.id}`)
      await run(page)
      await page.click('.record-actions a:has-text("delete")')
      await page.waitForSelector('[name="header.If-Match"]')
      const deleted = await run(page)
      assert.match(deleted.status, /^200/)
      assert.equal(JSON.parse(deleted.body).is_deleted, true)
      await page.click('.record-actions a:has-text("restore")')
      await page.waitForSelector('[data-testid="run"]:has-text("restore")')
      const restored = await run(page)
      assert.match(restored.status, /^200/)
      assert.equal(JSON.parse(restored.body).is_deleted, false)
    })

    test('keyboard: every control is labelled, and Ctrl+Enter runs the form', async () => {
      for (const hash of ['#/vulnerabilities/try/list', '#/compliance-controls/try/create', '#/vulnerabilities/try/update']) {
        await page.goto(`${server.url}/explorer${hash}`)
        await page.waitForSelector('[data-testid="run"]')
        if (hash.endsWith('list')) await page.click('text=+ Add filter')
        const unlabelled = await page.$$eval('main input, main select, main textarea, header button', (els) =>
          els.filter((el) => {
            const labels = (el as HTMLInputElement).labels
            return !(labels && labels.length > 0) && !el.getAttribute('aria-label') && !(el.tagName === 'BUTTON' && el.textContent?.trim())
          }).map((el) => el.outerHTML.slice(0, 80)))
        assert.deepEqual(unlabelled, [], hash)
      }
      await openTry(page, server.url, 'vulnerabilities', 'list')
      await page.focus('[name="query.search"]')
      await page.keyboard.type('OpenSSL')
      await page.keyboard.press('Control+Enter')
      assert.match(await page.locator('[data-testid="response-status"]').textContent() ?? '', /^200/)
    })

    test('lists page with "next page"', async () => {
      const tag = `pager${backend.name}${Date.now()}`
      const token = await server.token()
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}/api/v1/risk-items`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: `${tag} ${i}`, category: 'legal' })
        })
        assert.equal(response.status, 201)
      }
      await openTry(page, server.url, 'risk-items', 'list')
      await page.click('text=+ Add filter')
      await page.selectOption('.filter-row select[aria-label="Filter field"]', 'category')
      await page.selectOption('.filter-row select[aria-label="Value for category"]', 'legal')
      await page.fill('[name="query.limit"]', '2')
      await page.selectOption('[name="query.include_total"]', 'true')
      await run(page)
      assert.equal(await page.locator('[data-testid="records"] tbody tr').count(), 2)
      assert.match(await page.textContent('[data-testid="outcome"]') ?? '', /a page of 2 record\(s\) of 3 in all, more to come/)
      await page.click('[data-testid="next-page"]')
      await page.waitForSelector('h3:has-text("Page 2")')
      assert.equal(await page.locator('[data-testid="records"] tbody tr').count(), 1)
      assert.match(await page.textContent('[data-testid="request-line"]') ?? '', /cursor=/)
      assert.equal(await page.locator('[data-testid="next-page"]').count(), 0)
    })

    test('the curl snippet, run in a shell, answers what the SDK got', { skip: existsSync('/usr/bin/curl') ? false : 'no /usr/bin/curl' }, async () => {
      const token = await server.token()
      for (const body of [{ title: 'Curl check A', status: 'open' }, { title: 'Curl check B', status: 'in_progress' }]) {
        const response = await fetch(`${server.url}/api/v1/vulnerabilities`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        assert.equal(response.status, 201)
      }
      await openTry(page, server.url, 'vulnerabilities', 'list')
      await page.fill('[name="query.limit"]', '3')
      await page.fill('[name="query.sort"]', 'title')
      await page.click('text=+ Add filter')
      await page.selectOption('.filter-row select[aria-label="Filter field"]', 'status')
      await page.selectOption('.filter-row select[aria-label="Operator"]', 'in')
      await page.selectOption('.filter-row select[aria-label="Value for status"]', ['open', 'in_progress'])
      const sdk = await run(page)
      const curl = await page.textContent('[data-testid="curl-snippet"]') ?? ''
      assert.match(curl, /--data-urlencode 'status\[in\]=open,in_progress'/)
      // Asynchronously: the server answering curl runs in this very process.
      const shell = await promisify(execFile)('sh', ['-c', `${curl} --silent --show-error`], { env: { ...process.env, POSTURE_TOKEN: await server.token() }, timeout: 10_000 })
      assert.equal(JSON.parse(sdk.body).data.length, 2)
      assert.deepEqual(JSON.parse(shell.stdout), JSON.parse(sdk.body))
    })

    test('a bad query is shown as the problem, its field marked in the form', async () => {
      await openTry(page, server.url, 'vulnerabilities', 'create')
      await page.check('.mode-switch input[value="json"]')
      await page.fill('.json-body', '{ "cvss_score": 11 }')
      const refused = await run(page)
      assert.match(refused.status, /^400/)
      assert.equal(JSON.parse(refused.body).code, 'invalid_request')
      assert.match(await page.textContent('.problem-fields') ?? '', /cvss_score/)
      await page.check('.mode-switch input[value="form"]')
      assert.equal(await page.inputValue('[name="body.cvss_score"]'), '11')
    })

    test('a token without the write scope: 403 from the SDK, with a hint', async () => {
      await setToken(page, await server.token({ scope: 'risk:read' }))
      try {
        await openTry(page, server.url, 'vulnerabilities', 'create')
        const refused = await run(page)
        assert.match(refused.status, /^403/)
        assert.match(await page.textContent('[data-testid="outcome"]') ?? '', /PermissionDeniedError[\s\S]*lacks the scope/)
      } finally {
        await setToken(page, await server.token())
      }
    })

    test('development mode offers the token npm start printed', async () => {
      await page.goto(`${server.url}/explorer#/`)
      await page.click('#token-button')
      await page.click('[data-testid="use-dev-token"]')
      assert.equal(await page.inputValue('#token-input'), server.devToken.token)
      await page.click('[data-testid="token-save"]')
      // The dialog's close event updates the status a task later.
      await page.locator('[data-testid="token-status"]', { hasText: 'dev-user @ dev' }).waitFor()
      await setToken(page, await server.token())
    })

    test('on a phone-sized screen nothing overflows sideways (wide tables scroll in place)', async () => {
      const phone = await context.newPage()
      try {
        await phone.setViewportSize({ width: 390, height: 844 })
        for (const hash of ['#/', '#/vulnerabilities', '#/vulnerabilities/try/list', '#/compliance-controls/try/create']) {
          await phone.goto(`${server.url}/explorer${hash}`)
          await phone.waitForSelector('h1')
          assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390, hash)
        }
      } finally {
        await phone.close()
      }
    })

    test('the OpenAPI reference renders at /docs, self-hosted', async () => {
      await page.goto(`${server.url}/docs`)
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 })
      assert.match(await page.textContent('.swagger-ui .info .title') ?? '', /Posture API/)
    })

    test('no request left for another host, and nothing broke the page', () => {
      assert.ok(requested.length > 10, `the suite made requests (${requested.length})`)
      const foreign = requested.filter((url) => !url.startsWith(`${server.url}/`))
      assert.deepEqual(foreign, [])
      assert.deepEqual(problems.filter((p) => !/status of 4\d\d/.test(p)), [])
    })
  })
}
