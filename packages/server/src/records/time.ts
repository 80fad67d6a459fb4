// Timestamps are RFC 3339 UTC with milliseconds everywhere (SPEC §3): stored as that text, so
// lexical order is time order on both backends.

export function toTimestamp (date: Date): string {
  return date.toISOString()
}

/** Normalises any RFC 3339 date-time (validated upstream) to UTC with milliseconds. */
export function normalizeTimestamp (value: string): string {
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${value}`)
  return new Date(ms).toISOString()
}

export function addDays (timestamp: string, days: number): string {
  return new Date(Date.parse(timestamp) + days * 86_400_000).toISOString()
}
