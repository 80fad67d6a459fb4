import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Pulls (vector, published base score) pairs out of the real scanner reports in
// ../shared/refdata/scans (see its MANIFEST.md), one extractor per report format, so the CVSS
// calculator can be checked against scores that NVD, vendors and scanners actually published.

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
export const SCANS_DIR = join(resolve(repoRoot, '../shared/refdata'), 'scans')

export interface PublishedScore {
  file: string
  /** Where in the report: finding id and scoring source. */
  where: string
  vector: string
  score: number
}

type Json = any

function json (file: string): Json {
  return JSON.parse(readFileSync(join(SCANS_DIR, file), 'utf8'))
}

function text (file: string): string {
  return readFileSync(join(SCANS_DIR, file), 'utf8')
}

const pair = (file: string, where: string, vector: unknown, score: unknown): PublishedScore[] =>
  typeof vector === 'string' && vector !== '' && score !== null && score !== undefined && score !== '' && !Number.isNaN(Number(score))
    ? [{ file, where, vector, score: Number(score) }]
    : []

/** Trivy: `CVSS: { nvd: { V2Vector, V2Score, V3Vector, V3Score }, redhat: {…}, … }` per finding. */
function trivy (file: string): PublishedScore[] {
  const out: PublishedScore[] = []
  for (const result of json(file).Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      for (const [source, c] of Object.entries<Json>(v.CVSS ?? {})) {
        out.push(...pair(file, `${v.VulnerabilityID} ${source} v2`, c.V2Vector, c.V2Score))
        out.push(...pair(file, `${v.VulnerabilityID} ${source} v3`, c.V3Vector, c.V3Score))
      }
    }
  }
  return out
}

/** Grype: `cvss: [{ source, vector, metrics: { baseScore } }]` on each match and its related vulnerabilities. */
function grype (file: string): PublishedScore[] {
  const out: PublishedScore[] = []
  for (const m of json(file).matches ?? []) {
    for (const v of [m.vulnerability, ...(m.relatedVulnerabilities ?? [])]) {
      for (const c of v?.cvss ?? []) out.push(...pair(file, `${v.id} ${c.source}`, c.vector, c.metrics?.baseScore))
    }
  }
  return out
}

/** npm audit v1: `advisories: { id: { cvss: { score, vectorString } } }`. */
function npmAuditV1 (file: string): PublishedScore[] {
  return Object.values<Json>(json(file).advisories ?? {}).flatMap((a) => pair(file, `advisory ${a.id}`, a.cvss?.vectorString, a.cvss?.score))
}

/** npm audit v2: `vulnerabilities: { pkg: { via: [{ source, cvss: { score, vectorString } }] } }`. */
function npmAuditV2 (file: string): PublishedScore[] {
  return Object.values<Json>(json(file).vulnerabilities ?? {}).flatMap((v) =>
    (v.via ?? []).filter((x: unknown) => typeof x === 'object').flatMap((x: Json) => pair(file, `advisory ${x.source}`, x.cvss?.vectorString, x.cvss?.score)))
}

/** Snyk: `vulnerabilities: [{ id, CVSSv3, cvssScore }]`. */
function snyk (file: string): PublishedScore[] {
  return (json(file).vulnerabilities ?? []).flatMap((v: Json) => pair(file, v.id, v.CVSSv3, v.cvssScore))
}

/** Tenable CSV: `CVSS Vector` / `CVSS Base Score` (v2) and `CVSS3 Vector` (v3.0, without its prefix) / `CVSS3 Base Score`. */
function tenableCsv (file: string): PublishedScore[] {
  const rows = parseCsv(text(file))
  const header = rows[0]!
  const col = (name: string) => header.indexOf(name)
  const out: PublishedScore[] = []
  for (const row of rows.slice(1)) {
    const where = `plugin ${row[col('Plugin ID')]} ${row[col('CVE')]}`
    out.push(...pair(file, `${where} v2`, row[col('CVSS Vector')], row[col('CVSS Base Score')]))
    const v3 = row[col('CVSS3 Vector')]
    if (v3) out.push(...pair(file, `${where} v3`, `CVSS:3.0/${v3}`, row[col('CVSS3 Base Score')]))
  }
  return out
}

/** Nessus XML: `<cvss_vector>CVSS2#…</cvss_vector>` and `<cvss_base_score>` within a ReportItem. */
function nessus (file: string): PublishedScore[] {
  const out: PublishedScore[] = []
  for (const item of text(file).split('<ReportItem ').slice(1)) {
    const vector = /<cvss_vector>CVSS2#([^<]+)<\/cvss_vector>/.exec(item)?.[1]
    const score = /<cvss_base_score>([^<]+)<\/cvss_base_score>/.exec(item)?.[1]
    out.push(...pair(file, `plugin ${/pluginID="(\d+)"/.exec(item)?.[1]}`, vector, score))
  }
  return out
}

/** Dependency-Check XML: `<cvssV3>` / `<cvssV2>` metric blocks without vector strings; the vector is spelled from them. */
function dependencyCheck (file: string): PublishedScore[] {
  const out: PublishedScore[] = []
  const xml = text(file)
  const tag = (block: string, name: string) => new RegExp(`<${name}\\w*>([^<]+)</${name}`).exec(block)?.[1] ?? ''
  // Values come as letters (N) or spelled out (NETWORK, UNCHANGED, PARTIAL): the first letter is the metric value.
  const value = (block: string, name: string) => tag(block, name).charAt(0)
  const V3 = [['AV', 'attackVector'], ['AC', 'attackComplexity'], ['PR', 'privilegesRequired'], ['UI', 'userInteraction'],
    ['S', 'scope'], ['C', 'confidentialityImpact'], ['I', 'integrityImpact'], ['A', 'availabilityImpact']]
  const V2 = [['AV', 'accessVector'], ['AC', 'accessComplexity'], ['Au', 'authentication'], ['C', 'confidentialImpact'],
    ['I', 'integrityImpact'], ['A', 'availabilityImpact']]
  for (const m of xml.matchAll(/<cvssV([23])>([\s\S]*?)<\/cvssV\1>/g)) {
    const names = [...xml.slice(0, m.index).matchAll(/<name>([^<]+)<\/name>/g)]
    const where = `${names[names.length - 1]?.[1] ?? '?'} v${m[1]}`
    const block = m[2]!
    if (m[1] === '3') out.push(...pair(file, where, `CVSS:3.1/${V3.map(([k, t]) => `${k}:${value(block, t!)}`).join('/')}`, tag(block, 'baseScore')))
    else out.push(...pair(file, where, V2.map(([k, t]) => `${k}:${value(block, t!)}`).join('/'), tag(block, 'score')))
  }
  return out
}

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
function parseCsv (input: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++
      row.push(field); rows.push(row); row = []; field = ''
    } else field += ch
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}

export const EXTRACTORS: Record<string, (file: string) => PublishedScore[]> = {
  'defectdojo_trivy_issue_9333.json': trivy,
  'defectdojo_grype_many_vulns_with_epss_values.json': grype,
  'defectdojo_npm_audit_v1_multiple_cwes.json': npmAuditV1,
  'defectdojo_npm_audit_v2_many_vulns.json': npmAuditV2,
  'defectdojo_snyk_single_project_many_vulns.json': snyk,
  'defectdojo_tenable_many_vuln.csv': tenableCsv,
  'defectdojo_nessus_v_unknown.nessus.xml': nessus,
  'defectdojo_dependency_check_multiple_vulnerabilities.xml': dependencyCheck
}

/** OSV-Scanner: `severity: [{ type: CVSS_V3, score: <vector> }]` — vectors without published scores. */
export function osvVectors (file = 'defectdojo_osv_scanner_many_findings.json'): string[] {
  const out: string[] = []
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      if (typeof node.type === 'string' && node.type.startsWith('CVSS_') && typeof node.score === 'string') out.push(node.score)
      Object.values(node).forEach(walk)
    }
  }
  walk(json(file))
  return out
}

export function refdataPresent (): boolean {
  return existsSync(SCANS_DIR)
}

export function readGeneric (file = 'defectdojo_generic_findings_kev_cvssv4.json'): Json {
  return json(file)
}
