import { appendFileSync } from 'node:fs'

// The figures docs/RELIABILITY.md quotes (fuzz cases, races, crash-restart rounds): printed with
// the test output, and appended as JSON lines to POSTURE_FIGURES_FILE when it is set.

export function recordFigure (name: string, value: number): void {
  console.log(`figure ${name} = ${value}`)
  const file = process.env.POSTURE_FIGURES_FILE
  if (file) appendFileSync(file, JSON.stringify({ name, value, at: new Date().toISOString() }) + '\n')
}
