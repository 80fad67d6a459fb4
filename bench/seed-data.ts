// Realistic-looking input for the seeding command: vulnerability titles and descriptions built from
// products and weakness classes (products drawn with a Zipf law, so some words are common and some
// rare, as in real scanner data), CVE ids, CVSS v3.1 and v2 vectors, statuses with their
// justifications, risk items. Deterministic for a given seed, so runs are comparable.

import type { RecordData } from '../packages/server/src/resources/resource.ts'
import { cvssBaseScore } from '../packages/server/src/resources/cvss.ts'

export type Random = () => number

/** mulberry32: a small, fast, seedable PRNG (quality is ample for test data). */
export function random (seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T> (rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

/** Products by popularity: the first is the most common; the last (`xerces`) is the rare word. */
export const PRODUCTS = [
  'openssl', 'linux kernel', 'log4j', 'nginx', 'apache httpd', 'openssh', 'glibc', 'curl', 'libxml2', 'zlib',
  'spring framework', 'jackson-databind', 'tomcat', 'postgresql', 'mysql', 'redis', 'node.js', 'express', 'lodash', 'axios',
  'django', 'flask', 'jinja2', 'requests', 'urllib3', 'pillow', 'numpy', 'kubernetes', 'containerd', 'runc',
  'docker engine', 'git', 'sudo', 'systemd', 'bash', 'busybox', 'samba', 'bind', 'dnsmasq', 'exim',
  'postfix', 'dovecot', 'openldap', 'kerberos', 'gnutls', 'nss', 'libssh2', 'libcurl', 'sqlite', 'expat',
  'libpng', 'libjpeg-turbo', 'libtiff', 'imagemagick', 'ghostscript', 'ffmpeg', 'vim', 'less', 'tar', 'gzip',
  'xz-utils', 'perl', 'python', 'ruby', 'rails', 'rack', 'nokogiri', 'php', 'wordpress', 'drupal',
  'joomla', 'jenkins', 'gitlab', 'grafana', 'prometheus', 'elasticsearch', 'kibana', 'logstash', 'kafka', 'zookeeper',
  'activemq', 'rabbitmq', 'struts', 'hibernate', 'netty', 'guava', 'commons-text', 'commons-collections', 'snakeyaml', 'bouncycastle',
  'vmware vcenter', 'citrix adc', 'fortios', 'pan-os', 'cisco ios xe', 'exchange server', 'sharepoint', 'windows smb', 'outlook', 'chrome',
  'firefox', 'webkit', 'electron', 'moment', 'minimist', 'semver', 'tar-fs', 'ws', 'jsonwebtoken', 'xerces'
] as const

export const RARE_WORD = 'xerces'
/** Appears in about a third of the descriptions. */
export const COMMON_WORD = 'remote'

const ZIPF = (() => {
  const weights = PRODUCTS.map((_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  let acc = 0
  return weights.map((w) => (acc += w / total))
})()

export function zipfProduct (rng: Random): string {
  const x = rng()
  let lo = 0
  let hi = ZIPF.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (ZIPF[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return PRODUCTS[lo]!
}

const WEAKNESSES = [
  ['Heap-based buffer overflow', 'allows a remote attacker to execute arbitrary code via a crafted', 'request'],
  ['Stack-based buffer overflow', 'lets a local user escalate privileges through an oversized', 'argument'],
  ['Use-after-free', 'can be triggered by a remote peer with a malformed', 'handshake'],
  ['Integer overflow', 'leads to an out-of-bounds write when parsing a crafted', 'file'],
  ['Out-of-bounds read', 'discloses process memory to a remote client sending a truncated', 'record'],
  ['SQL injection', 'lets an authenticated user read arbitrary tables through the', 'search parameter'],
  ['Cross-site scripting', 'allows injection of script into pages through an unsanitised', 'field'],
  ['Server-side request forgery', 'lets a remote attacker reach internal services via a crafted', 'URL'],
  ['Path traversal', 'allows reading files outside the web root through a crafted', 'path'],
  ['Deserialization of untrusted data', 'results in remote code execution when processing a crafted', 'payload'],
  ['Improper certificate validation', 'permits a man-in-the-middle to impersonate servers with a forged', 'certificate'],
  ['Denial of service', 'exhausts CPU when processing a deeply nested', 'document'],
  ['Privilege escalation', 'lets a local unprivileged user gain root through a race in the', 'setuid helper'],
  ['Authentication bypass', 'lets a remote attacker skip the login check with a crafted', 'header'],
  ['XML external entity injection', 'discloses local files when parsing an untrusted', 'XML document'],
  ['Information disclosure', 'exposes credentials in', 'debug logs'],
  ['Command injection', 'allows execution of shell commands through the', 'hostname field'],
  ['Open redirect', 'sends users to attacker-controlled sites through the', 'return parameter'],
  ['Regular expression denial of service', 'hangs the event loop on a crafted', 'input string'],
  ['Missing authorization', 'lets a low-privileged user modify another tenant\'s', 'settings']
] as const

const COMPONENTS = ['parser', 'TLS handshake', 'HTTP/2 handler', 'authentication module', 'admin console', 'REST API', 'image decoder', 'session manager', 'plugin loader', 'template engine']
const SCANNERS = ['tenable', 'qualys', 'rapid7', 'snyk', 'trivy', 'grype', 'edm']
const ASSET_TYPES = ['TechnologyAsset', 'CloudResource', 'PhysicalAsset']

/** A pool of complete CVSS vectors with their base scores, computed once through the service's calculator. */
const VECTORS: Array<{ vector: string, score: number }> = (() => {
  const rng = random(42)
  const out: Array<{ vector: string, score: number }> = []
  while (out.length < 400) {
    const v3 = `CVSS:3.1/AV:${pick(rng, ['N', 'N', 'A', 'L', 'P'])}/AC:${pick(rng, ['L', 'L', 'H'])}/PR:${pick(rng, ['N', 'L', 'H'])}/UI:${pick(rng, ['N', 'R'])}/S:${pick(rng, ['U', 'U', 'C'])}/C:${pick(rng, ['H', 'L', 'N'])}/I:${pick(rng, ['H', 'L', 'N'])}/A:${pick(rng, ['H', 'L', 'N'])}`
    const v2 = `AV:${pick(rng, ['N', 'A', 'L'])}/AC:${pick(rng, ['L', 'M', 'H'])}/Au:${pick(rng, ['N', 'S'])}/C:${pick(rng, ['C', 'P', 'N'])}/I:${pick(rng, ['C', 'P', 'N'])}/A:${pick(rng, ['C', 'P', 'N'])}`
    const vector = out.length % 8 === 7 ? v2 : v3
    const parsed = cvssBaseScore(vector)
    if (parsed) out.push({ vector, score: parsed.baseScore })
  }
  return out
})()

function version (rng: Random): string {
  return `${1 + Math.floor(rng() * 4)}.${Math.floor(rng() * 20)}.${Math.floor(rng() * 30)}`
}

/**
 * One vulnerability as a scanner import would send it (client fields only). The CVSS score is sent
 * with its vector (the rules check them against each other), so the rules do not parse vectors
 * that were already parsed for the pool.
 */
export function vulnerabilityInput (rng: Random, createdAtMs: number): RecordData {
  const product = zipfProduct(rng)
  const [weakness, effect, vehicle] = pick(rng, WEAKNESSES)
  const component = pick(rng, COMPONENTS)
  const fixed = version(rng)
  const year = 2014 + Math.floor(rng() * 12)
  const hasCve = rng() < 0.85
  const withVector = rng() < 0.9
  const cvss = pick(rng, VECTORS)
  const r = rng()
  const status = r < 0.45 ? 'open' : r < 0.6 ? 'in_progress' : r < 0.9 ? 'remediated' : r < 0.95 ? 'accepted_risk' : 'false_positive'
  const discovered = createdAtMs - Math.floor(rng() * 20) * 86_400_000
  const input: RecordData = {
    title: `${weakness} in ${product} ${component}`,
    description: `${weakness} in the ${component} of ${product} before ${fixed} ${effect} ${vehicle}. ` +
      `Affected hosts run ${product} ${version(rng)}; upgrade to ${fixed} or later. ` +
      (rng() < 0.5 ? 'Exploitation requires network access to the service; no user interaction is needed. ' : 'A public proof of concept exists and exploitation has been observed in the wild. '),
    source: pick(rng, SCANNERS),
    source_type: 'system',
    status,
    discovered_at: new Date(discovered).toISOString(),
    affected_asset_id: `ast_${Math.floor(rng() * 50_000).toString(36).padStart(5, '0')}`,
    affected_asset_type: pick(rng, ASSET_TYPES),
    assigned_to: `usr_${Math.floor(rng() * 200)}`
  }
  if (hasCve) input.cve_id = `CVE-${year}-${String(1000 + Math.floor(rng() * 48_000)).padStart(4, '0')}`
  if (withVector) {
    input.cvss_vector = cvss.vector
    input.cvss_score = cvss.score
  } else {
    input.severity = pick(rng, ['critical', 'high', 'medium', 'low', 'info'])
  }
  if (status === 'accepted_risk') input.justification = `Compensating control: ${product} is reachable only from the management network; reviewed with the asset owner.`
  if (status === 'false_positive') input.justification = `The scanner matched ${product} by banner only; the installed build carries the vendor backport.`
  return input
}

const RISK_TEMPLATES = [
  ['Unpatched internet-facing services', 'security', 'Critical vulnerabilities on exposed hosts remain open past their SLA.'],
  ['Single region hosting', 'operational', 'All production workloads run in one cloud region; a regional outage stops the service.'],
  ['Third-party processor breach', 'third_party', 'A payment processor holding customer data could be compromised.'],
  ['Incomplete access reviews', 'compliance', 'Quarterly access reviews are not completed for every privileged system.'],
  ['Ransomware on file servers', 'security', 'Shared drives without immutable backups could be encrypted by ransomware.'],
  ['Key person dependency', 'operational', 'Only one engineer can operate the billing pipeline.'],
  ['Regulatory fines for data retention', 'legal', 'Personal data kept beyond its retention period may breach GDPR.'],
  ['Legacy database end of life', 'technology', 'The reporting database version no longer receives security fixes.']
] as const

export function riskInput (rng: Random, n: number): RecordData {
  const [title, category, description] = pick(rng, RISK_TEMPLATES)
  const r = rng()
  const status = r < 0.4 ? 'identified' : r < 0.75 ? 'mitigating' : r < 0.85 ? 'accepted' : r < 0.9 ? 'transferred' : 'closed'
  const input: RecordData = {
    title: `${title} (${n})`,
    description,
    category,
    likelihood: pick(rng, ['rare', 'unlikely', 'possible', 'likely', 'almost_certain']),
    impact: pick(rng, ['insignificant', 'minor', 'moderate', 'major', 'catastrophic']),
    status,
    owner: `usr_${Math.floor(rng() * 200)}`,
    mitigation_plan: `Track remediation of ${zipfProduct(rng)} findings weekly; report progress to the risk committee.`
  }
  if (status === 'accepted') input.justification = 'Accepted by the CISO until the next budget cycle; compensating monitoring is in place.'
  return input
}

export interface ControlSource {
  control_id: string
  title: string
  category: string
  description: string
  objective: string
  implementation_guidance: string | null
}
