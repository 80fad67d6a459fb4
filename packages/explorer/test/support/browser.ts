import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

// Headless Chromium from Debian's package (/usr/bin/chromium), driven by playwright-core; nothing
// is downloaded. Without it the browser suites are skipped with a loud message, except with
// POSTURE_REQUIRE_BROWSER=1 (CI, where .ci/run installs it), where they fail.

export const CHROMIUM = process.env.POSTURE_CHROMIUM ?? '/usr/bin/chromium'

export function browserSkipReason (): string | false {
  if (existsSync(CHROMIUM)) return false
  if (process.env.POSTURE_REQUIRE_BROWSER === '1') {
    throw new Error(`POSTURE_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM} (apt-get install chromium)`)
  }
  console.warn(`\n*** Explorer browser suite SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set POSTURE_CHROMIUM) ***\n`)
  return `no Chromium at ${CHROMIUM}`
}

export async function launchBrowser (): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM })
}
