import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { build } from 'esbuild'

// Builds the explorer into static files the server serves at /explorer: the app bundled with the
// SDK (esbuild), plus the HTML, CSS and icons as they are. No CDN, no web fonts.

const root = fileURLToPath(new URL('..', import.meta.url))

export async function buildExplorer (outDir = join(root, 'dist')): Promise<string> {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years: fetch, dialog, :focus-visible, optional chaining.
    target: ['chrome100', 'firefox100', 'safari15.4'],
    minify: true,
    // The SDK's error classes are shown by name (UnprocessableEntityError…).
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning'
  })
  cpSync(join(root, 'static'), outDir, { recursive: true })
  return outDir
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildExplorer(process.argv[2])
  console.log(`explorer built into ${out}`)
}
