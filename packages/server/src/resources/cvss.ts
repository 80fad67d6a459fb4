import cvss from 'ae-cvss-calculator'

// CVSS base scores through a maintained calculator (ae-cvss-calculator: v2, v3.0, v3.1, v4.0).
// The library accepts incomplete vectors (missing metrics become "X", score 0) and throws bare
// TypeErrors on garbage, so we check that every base metric is present ourselves first and turn
// anything it cannot read into "not a vector" (the caller answers 400).

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0'

/** The base metrics each version's specification requires in a vector. */
const BASE_METRICS: Record<CvssVersion, readonly string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  3.1: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA']
}

export interface CvssResult {
  version: CvssVersion
  baseScore: number
}

/** Splits `CVSS:3.1/…` (v3, v4) or a bare / parenthesised v2 vector into version and metrics. */
function splitVector (vector: string): { version: CvssVersion, body: string, full: string } {
  const trimmed = vector.trim()
  const prefixed = /^CVSS:(3\.0|3\.1|4\.0)\/(.+)$/.exec(trimmed)
  if (prefixed) return { version: prefixed[1] as CvssVersion, body: prefixed[2]!, full: trimmed }
  // CVSS v2 vectors carry no prefix (NVD sometimes wraps them in parentheses).
  const body = trimmed.replace(/^\((.*)\)$/, '$1')
  return { version: '2.0', body, full: body }
}

function calculator (version: CvssVersion, full: string) {
  switch (version) {
    case '2.0': return new cvss.Cvss2(full)
    case '3.0': return new cvss.Cvss3P0(full)
    case '3.1': return new cvss.Cvss3P1(full)
    case '4.0': return new cvss.Cvss4P0(full)
  }
}

/**
 * Parses a complete CVSS base vector (temporal / threat, environmental and supplemental metrics
 * may follow) and returns its **base** score; null when it is not such a vector. For v4.0 the
 * base score is CVSS-B (base metrics only): a vector that also carries threat or environmental
 * metrics still has the base score of its base metrics, as for v2 and v3.
 */
export function cvssBaseScore (vector: string): CvssResult | null {
  let known = parsedVectors.get(vector)
  if (known === undefined) {
    // A pure function of the text, and a few vectors recur across most findings: each is parsed
    // once (the library's parse and scoring dominate a create's rules). Bounded: cleared when full.
    if (parsedVectors.size >= PARSED_VECTORS_MAX) parsedVectors.clear()
    known = parseBaseScore(vector)
    if (known) Object.freeze(known)
    parsedVectors.set(vector, known)
  }
  return known
}

const PARSED_VECTORS_MAX = 1000
const parsedVectors = new Map<string, Readonly<CvssResult> | null>()

function parseBaseScore (vector: string): CvssResult | null {
  const { version, body, full } = splitVector(vector)
  const metrics = new Map<string, string>()
  for (const part of body.split('/')) {
    const m = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part)
    if (!m || metrics.has(m[1]!)) return null
    metrics.set(m[1]!, m[2]!)
  }
  for (const metric of BASE_METRICS[version]) {
    const value = metrics.get(metric)
    if (value === undefined || value === 'X') return null
  }
  try {
    // The library throws on unknown metrics and values; a vector that does not round-trip to the
    // same base metrics is one it did not understand.
    const calc = calculator(version, full)
    const normalized = calc.toString()
    for (const metric of BASE_METRICS[version]) {
      if (!new RegExp(`(^|/)${metric}:${metrics.get(metric)!}(/|$)`).test(normalized)) return null
    }
    const scores = calc.calculateScores() as { base?: number, baseMetricsOnly?: number }
    const base = version === '4.0' ? scores.baseMetricsOnly : scores.base
    if (typeof base !== 'number' || Number.isNaN(base)) return null
    return { version, baseScore: base }
  } catch {
    return null
  }
}

/** SPEC §3.2 severity bands: 9.0–10.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0.0 info. */
export function severityFromScore (score: number): 'critical' | 'high' | 'medium' | 'low' | 'info' {
  if (score >= 9.0) return 'critical'
  if (score >= 7.0) return 'high'
  if (score >= 4.0) return 'medium'
  if (score >= 0.1) return 'low'
  return 'info'
}

/** Scores are stored to one decimal (SPEC §3.2). */
export function roundScore (score: number): number {
  return Math.round(score * 10) / 10
}
