// Runs every test file of the repository with node:test (TypeScript through tsx). Node 20's
// --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const roots = ['packages/server/test', 'packages/sdk/test', 'packages/explorer/test']
const only = process.argv.slice(2)
const files = []
function walk (dir) {
  let entries
  try { entries = readdirSync(dir) } catch { return }
  for (const entry of entries) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) walk(path)
    else if (/\.test\.(ts|mts|js|mjs)$/.test(entry)) files.push(path)
  }
}
for (const root of roots) walk(root)
const selected = only.length > 0 ? files.filter((f) => only.some((o) => f.includes(o))) : files
if (selected.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected.sort()], { stdio: 'inherit' })
process.exit(result.status ?? 1)
