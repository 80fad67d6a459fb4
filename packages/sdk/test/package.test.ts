import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// The package as users get it: resolvable as `@posture/sdk` from plain Node code anywhere in the
// repository after `npm install` (which builds it), ESM with declarations, no runtime
// dependencies, and no Node-only imports (the explorer bundles it for browsers).

const sdkRoot = resolve(fileURLToPath(import.meta.url), '../..')
const repoRoot = resolve(sdkRoot, '../..')

function sourceFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? sourceFiles(path) : [path]
  })
}

test('plain Node code imports { PostureClient } from @posture/sdk at the root and in a subdirectory', () => {
  const script = "import('@posture/sdk').then((m) => { const c = new m.PostureClient({ token: 't' }); console.log(typeof m.PostureClient, c.baseUrl, typeof c.risk.vulnerabilities.list, m.NotFoundError.name) })"
  for (const cwd of [repoRoot, join(repoRoot, 'packages/server/src')]) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout.trim(), 'function http://127.0.0.1:8080 function NotFoundError')
  }
})

test('the package is ESM with type declarations and has no runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(sdkRoot, 'package.json'), 'utf8'))
  assert.equal(pkg.name, '@posture/sdk')
  assert.equal(pkg.type, 'module')
  assert.equal(pkg.dependencies, undefined)
  assert.equal(pkg.peerDependencies, undefined)
  assert.ok(existsSync(join(sdkRoot, pkg.exports['.'].types)))
  assert.ok(existsSync(join(sdkRoot, pkg.exports['.'].import)))
})

test('the sources use only web APIs: no node: or bare-module imports', () => {
  for (const file of sourceFiles(join(sdkRoot, 'src'))) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!)
    for (const specifier of imports) assert.ok(specifier.startsWith('.'), `${file} imports ${specifier}`)
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\b(process|Buffer|require)\b\s*[.(]/, file)
  }
})
