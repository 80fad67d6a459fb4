import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseInput, withAliases } from '../../src/records/input.ts'
import { complianceControl, riskItem, vulnerability } from '../../src/resources/index.ts'
import { ProblemError } from '../../src/errors.ts'

// Alias folding and input cleaning (SPEC §3.1, §3.3), without HTTP or a database.

const PAIRS: Array<[string, string, unknown, unknown]> = [
  ['control_id', 'control_ref', 'CC6.1', 'CC6.2'],
  ['title', 'name', 'Logical access', 'Other'],
  ['owner', 'owner_id', 'per_1', 'per_2'],
  ['next_review_at', 'next_review_date', '2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']
]

function code (work: () => unknown): string {
  try {
    work()
  } catch (error) {
    assert.ok(error instanceof ProblemError)
    return error.code
  }
  return 'none'
}

describe('control aliases', () => {
  for (const [canonical, alias, value, other] of PAIRS) {
    test(`${alias} sets ${canonical}`, () => {
      assert.deepEqual(parseInput(complianceControl, { [alias]: value }).fields, { [canonical]: value })
    })
    test(`${canonical} sets ${canonical}`, () => {
      assert.deepEqual(parseInput(complianceControl, { [canonical]: value }).fields, { [canonical]: value })
    })
    test(`${canonical} and ${alias} with one value are fine`, () => {
      assert.deepEqual(parseInput(complianceControl, { [canonical]: value, [alias]: value }).fields, { [canonical]: value })
    })
    test(`${canonical} and ${alias} disagreeing → 422`, () => {
      assert.equal(code(() => parseInput(complianceControl, { [canonical]: value, [alias]: other })), 'unprocessable')
      assert.equal(code(() => parseInput(complianceControl, { [alias]: value, [canonical]: null })), 'unprocessable')
    })
    test(`reads show ${alias} with ${canonical}'s value`, () => {
      assert.equal(withAliases(complianceControl, { [canonical]: value })[alias], value)
      assert.equal(withAliases(complianceControl, { [canonical]: null })[alias], null)
    })
  }
  test('date-time aliases compare as instants, not as text', () => {
    const fields = parseInput(complianceControl, { next_review_at: '2026-06-01T02:00:00+02:00', next_review_date: '2026-06-01T00:00:00Z' }).fields
    assert.deepEqual(fields, { next_review_at: '2026-06-01T00:00:00.000Z' })
  })
})

describe('input cleaning', () => {
  test('server-set and computed fields are dropped', () => {
    const fields = parseInput(riskItem, { id: 'x', tenant_id: 'y', created_at: 'z', risk_score: 25, risk_level: 'critical', title: 't' }).fields
    assert.deepEqual(fields, { title: 't' })
  })
  test('is_deleted is reported apart', () => {
    assert.deepEqual(parseInput(vulnerability, { is_deleted: true }), { fields: {}, isDeleted: true })
  })
  test('evidence over 64 KiB → 400; at the limit it passes', () => {
    const item = (n: number) => [{ note: 'x'.repeat(n) }]
    const overhead = JSON.stringify(item(0)).length
    assert.equal(code(() => parseInput(complianceControl, { evidence: item(64 * 1024 - overhead) })), 'none')
    assert.equal(code(() => parseInput(complianceControl, { evidence: item(64 * 1024 - overhead + 1) })), 'invalid_request')
  })
  test('custom_fields over 16 KiB → 400; at the limit it passes', () => {
    const obj = (n: number) => ({ k: 'x'.repeat(n) })
    const overhead = JSON.stringify(obj(0)).length
    assert.equal(code(() => parseInput(complianceControl, { custom_fields: obj(16 * 1024 - overhead) })), 'none')
    assert.equal(code(() => parseInput(complianceControl, { custom_fields: obj(16 * 1024 - overhead + 1) })), 'invalid_request')
  })
})
