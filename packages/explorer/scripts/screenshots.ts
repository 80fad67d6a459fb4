import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser } from '../test/support/browser.ts'
import { startExplorerServer } from '../test/support/server.ts'

// Screenshots of the explorer for the README (docs/screenshots/), taken with the same headless
// Chromium and server as the browser tests: `npm run screenshots -w @posture/explorer`.

const out = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
mkdirSync(out, { recursive: true })

const server = await startExplorerServer({ name: 'sqlite', create: async () => ({ url: 'sqlite::memory:', drop: async () => {} }) })
const token = await server.token()
const seed = [
  { title: 'OpenSSL remote code execution', cve_id: 'CVE-2024-3094', cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', source: 'Tenable' },
  { title: 'Log4Shell in the billing service', cve_id: 'CVE-2021-44228', cvss_score: 10, status: 'in_progress', source: 'Qualys' },
  { title: 'Outdated TLS configuration on the edge proxy', severity: 'medium', source: 'Nessus' },
  { title: 'curl SOCKS5 heap overflow', cve_id: 'CVE-2023-38545', cvss_score: 9.8, source: 'Tenable' },
  { title: 'Default credentials on a staging database', severity: 'high', status: 'open' }
]
for (const body of seed) {
  const response = await fetch(`${server.url}/api/v1/vulnerabilities`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`)
}
const first = await (await fetch(`${server.url}/api/v1/vulnerabilities?search=Outdated`, { headers: { authorization: `Bearer ${token}` } })).json() as { data: Array<{ id: string }> }

const browser = await launchBrowser()

async function open (scheme: 'light' | 'dark', width: number, height: number, hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme, deviceScaleFactor: 1 })
  await page.goto(`${server.url}/explorer#/`)
  await page.waitForSelector('body[data-ready="true"]')
  await page.click('#token-button')
  await page.fill('#token-input', token)
  await page.click('[data-testid="token-save"]')
  await page.goto(`${server.url}/explorer${hash}`)
  await page.waitForSelector('h1')
  return page
}

async function shot (page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(out, name), fullPage })
  await page.close()
  console.log(`docs/screenshots/${name}`)
}

let page = await open('light', 1280, 900, '#/vulnerabilities')
await shot(page, 'explorer-light.png')

page = await open('dark', 1280, 900, '#/vulnerabilities/try/create')
await page.fill('[name="body.title"]', 'OpenSSL remote code execution')
await page.fill('[name="body.cve_id"]', 'CVE-2024-3094')
await page.selectOption('[name="body.severity"]', 'critical')
await shot(page, 'explorer-dark.png')

page = await open('light', 1280, 1000, '#/vulnerabilities/try/list')
await page.click('text=+ Add filter')
await page.selectOption('.filter-row select[aria-label="Filter field"]', 'cvss_score')
await page.selectOption('.filter-row select[aria-label="Operator"]', 'gte')
await page.fill('.filter-row input[aria-label="Value for cvss_score"]', '9')
await page.click('[data-testid="run"]')
await page.waitForSelector('[data-testid="records"]')
await page.locator('[data-testid="result"]').scrollIntoViewIfNeeded()
await shot(page, 'explorer-list.png')

page = await open('light', 1280, 1000, `#/vulnerabilities/try/resolve?id=${first.data[0]!.id}`)
await page.selectOption('[name="body.status"]', 'accepted_risk')
await page.click('[data-testid="run"]')
await page.waitForSelector('[data-testid="response-status"]')
await page.locator('[data-field="body.justification"]').scrollIntoViewIfNeeded()
await shot(page, 'explorer-error.png')

page = await open('dark', 390, 844, '#/')
await shot(page, 'explorer-phone.png', true)

await browser.close()
await server.close()
