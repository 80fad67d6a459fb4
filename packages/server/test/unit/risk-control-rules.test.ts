import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { IMPACTS, LIKELIHOODS, riskItemRules, riskLevel, riskScore } from '../../src/resources/risk-item.ts'
import { complianceControl } from '../../src/resources/compliance-control.ts'
import { ProblemError } from '../../src/errors.ts'
import { ruleArgs } from './rule-context.ts'

function problemCode (work: () => unknown): string {
  try {
    work()
  } catch (error) {
    assert.ok(error instanceof ProblemError, String(error))
    return error.code
  }
  return 'none'
}

describe('risk score and level (SPEC §3.4), all 25 combinations', () => {
  const expectedLevel = (score: number) => (score <= 4 ? 'low' : score <= 9 ? 'medium' : score <= 16 ? 'high' : 'critical')
  LIKELIHOODS.forEach((likelihood, l) => {
    IMPACTS.forEach((impact, i) => {
      const score = (l + 1) * (i + 1)
      test(`${likelihood} × ${impact} = ${score} (${expectedLevel(score)})`, () => {
        const out = riskItemRules(...ruleArgs({ input: { likelihood, impact } }))
        assert.equal(out.risk_score, score)
        assert.equal(out.risk_level, expectedLevel(score))
      })
    })
  })
  test('the products are exactly the SPEC bands: low 1–4, medium 5–9, high 10–16, critical 20–25', () => {
    assert.deepEqual([1, 4, 5, 9, 10, 16, 20, 25].map(riskLevel), ['low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical'])
  })
  test('null when either is missing', () => {
    assert.equal(riskScore('likely', null), null)
    assert.equal(riskScore(null, 'major'), null)
    const out = riskItemRules(...ruleArgs({ input: { likelihood: 'likely' } }))
    assert.equal(out.risk_score, null)
    assert.equal(out.risk_level, null)
  })
  test('recomputed on every write from the stored values, whatever was stored before', () => {
    const previous = { ...riskItemRules(...ruleArgs({ input: { likelihood: 'rare', impact: 'minor' } })), risk_score: 99, risk_level: 'critical' }
    const out = riskItemRules(...ruleArgs({ previous, input: { title: 'x' } }))
    assert.equal(out.risk_score, 2)
    assert.equal(out.risk_level, 'low')
  })
  test('clearing impact clears the score', () => {
    const previous = riskItemRules(...ruleArgs({ input: { likelihood: 'likely', impact: 'major' } }))
    assert.equal(riskItemRules(...ruleArgs({ previous, input: { impact: null } })).risk_score, null)
  })
})

describe('risk acceptance', () => {
  test('status defaults to identified', () => assert.equal(riskItemRules(...ruleArgs({ input: {} })).status, 'identified'))
  test('accepted needs a justification (422)', () => {
    assert.equal(problemCode(() => riskItemRules(...ruleArgs({ input: { status: 'accepted' } }))), 'unprocessable')
    assert.equal(problemCode(() => riskItemRules(...ruleArgs({ input: { status: 'accepted', justification: ' ' } }))), 'unprocessable')
    assert.equal(riskItemRules(...ruleArgs({ input: { status: 'accepted', justification: 'board' } })).status, 'accepted')
  })
  test('accepted needs risk:accept (403)', () => {
    assert.equal(problemCode(() => riskItemRules(...ruleArgs({ input: { status: 'accepted', justification: 'board' }, accept: false }))), 'forbidden')
  })
  test('other writes to an accepted risk need no risk:accept, but keep the justification', () => {
    const previous = riskItemRules(...ruleArgs({ input: { status: 'accepted', justification: 'board' } }))
    assert.equal(riskItemRules(...ruleArgs({ previous, input: { title: 'x' }, accept: false })).status, 'accepted')
    assert.equal(problemCode(() => riskItemRules(...ruleArgs({ previous, input: { justification: null } }))), 'unprocessable')
  })
  test('other statuses need neither', () => {
    for (const status of ['identified', 'mitigating', 'transferred', 'closed']) {
      assert.equal(riskItemRules(...ruleArgs({ input: { status }, accept: false })).status, status)
    }
  })
})

describe('compliance control justification', () => {
  test('not_applicable needs a non-blank justification (422)', () => {
    assert.equal(problemCode(() => complianceControl.rules(...ruleArgs({ input: { status: 'not_applicable' } }))), 'unprocessable')
    assert.equal(problemCode(() => complianceControl.rules(...ruleArgs({ input: { status: 'not_applicable', justification: '' } }))), 'unprocessable')
    assert.equal(complianceControl.rules(...ruleArgs({ input: { status: 'not_applicable', justification: 'no cardholder data' } })).status, 'not_applicable')
  })
  test('other statuses need none', () => {
    for (const status of ['not_implemented', 'partial', 'implemented']) {
      assert.equal(complianceControl.rules(...ruleArgs({ input: { status } })).status, status)
    }
  })
})
