import cvss from 'ae-cvss-calculator'

// CVSS base scores through a maintained calculator (ae-cvss-calculator: v2, v3.0, v3.1, v4.0).
// The library accepts incomplete vectors (missing metrics become "X", score 0) and throws bare
// TypeErrors on garbage, so we check that every base metric is present ourselves first.

const BASE_METRICS: Record<string, readonly string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA']
}

export interface CvssResult {
  version: '2.0' | '3.0' | '3.1' | '4.0'
  baseScore: number
}

/** Parses a complete CVSS base vector; returns null when it is not one. */
export function cvssBaseScore (vector: string): CvssResult | null {
  const trimmed = vector.trim()
  let version: CvssResult['version']
  let body: string
  const prefixed = /^CVSS:(3\.0|3\.1|4\.0)\/(.+)$/.exec(trimmed)
  if (prefixed) {
    version = prefixed[1] as CvssResult['version']
    body = prefixed[2]!
  } else {
    // CVSS v2 vectors carry no prefix (NVD sometimes wraps them in parentheses).
    version = '2.0'
    body = trimmed.replace(/^\((.*)\)$/, '$1')
  }
  const metrics = new Map<string, string>()
  for (const part of body.split('/')) {
    const m = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part)
    if (!m || metrics.has(m[1]!)) return null
    metrics.set(m[1]!, m[2]!)
  }
  for (const metric of BASE_METRICS[version]!) {
    const value = metrics.get(metric)
    if (value === undefined || value === 'X') return null
  }
  try {
    const calculator =
      version === '2.0'
        ? new cvss.Cvss2(body)
        : version === '3.0'
          ? new cvss.Cvss3P0(trimmed)
          : version === '3.1'
            ? new cvss.Cvss3P1(trimmed)
            : new cvss.Cvss4P0(trimmed)
    // The library silently ignores unknown metrics and values; a vector that does not round-trip
    // to the same base metrics is not one it understood.
    const normalized = calculator.toString()
    for (const metric of BASE_METRICS[version]!) {
      if (!new RegExp(`(^|/)${metric}:${metrics.get(metric)}(/|$)`).test(normalized)) return null
    }
    const base = calculator.calculateScores().base
    if (typeof base !== 'number' || Number.isNaN(base)) return null
    return { version, baseScore: base }
  } catch {
    return null
  }
}

/** SPEC §3.2 severity bands. */
export function severityFromScore (score: number): 'critical' | 'high' | 'medium' | 'low' | 'info' {
  if (score >= 9.0) return 'critical'
  if (score >= 7.0) return 'high'
  if (score >= 4.0) return 'medium'
  if (score >= 0.1) return 'low'
  return 'info'
}

export function roundScore (score: number): number {
  return Math.round(score * 10) / 10
}
