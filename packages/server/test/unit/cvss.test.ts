import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cvssBaseScore, roundScore, severityFromScore } from '../../src/resources/cvss.ts'

describe('severity bands (SPEC §3.2)', () => {
  const edges: Array<[number, string]> = [
    [0.0, 'info'], [0.1, 'low'], [3.9, 'low'], [4.0, 'medium'], [6.9, 'medium'],
    [7.0, 'high'], [8.9, 'high'], [9.0, 'critical'], [10.0, 'critical']
  ]
  for (const [score, severity] of edges) {
    test(`${score.toFixed(1)} → ${severity}`, () => assert.equal(severityFromScore(score), severity))
  }
})

describe('scores are stored to one decimal', () => {
  test('rounds half up at one decimal', () => {
    assert.equal(roundScore(9.84), 9.8)
    assert.equal(roundScore(7.25), 7.3)
    assert.equal(roundScore(5), 5)
  })
})

describe('CVSS base scores per version', () => {
  const known: Array<[string, string, number]> = [
    ['2.0', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['2.0', '(AV:N/AC:M/Au:N/C:N/I:P/A:N)', 4.3],
    ['2.0', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0],
    ['3.0', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3],
    ['3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0.0],
    // Temporal and environmental metrics may follow; the base score ignores them.
    ['3.1', 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:N/I:H/A:N/E:P/RL:O/RC:C', 5.3],
    ['3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L', 9.8],
    // FIRST's CVSS v4.0 examples (first.org/cvss/v4.0/examples), base metrics only (CVSS-B).
    ['4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['4.0', 'CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3],
    ['4.0', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7],
    ['4.0', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6],
    ['4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.1],
    ['4.0', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 9.4],
    ['4.0', 'CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 8.6],
    ['4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0.0],
    // A v4 vector with threat metrics: FIRST publishes CVSS-BT 5.2 for it; its base score is 7.7.
    ['4.0', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 7.7],
    // Supplemental metrics never change a score.
    ['4.0', 'CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D', 8.3]
  ]
  for (const [version, vector, score] of known) {
    test(`v${version} ${vector} → ${score}`, () => {
      assert.deepEqual(cvssBaseScore(vector), { version, baseScore: score })
    })
  }

  const rejected: Array<[string, string]> = [
    ['empty', ''],
    ['garbage', 'not a vector'],
    ['a lone prefix', 'CVSS:3.1/'],
    ['v3.1 missing A', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'],
    ['v3.1 base metric X', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X'],
    ['v3.1 unknown value', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['v3.1 unknown metric', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Y'],
    ['v3.1 bad temporal value', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q'],
    ['v3.1 duplicated metric', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['v3.1 lower case', 'cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h'],
    ['v3.1 trailing slash', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/'],
    ['v3 without prefix', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['v3.2 (no such version)', 'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['v2 missing Au', 'AV:N/AC:L/C:P/I:P/A:P'],
    ['v2 with v3 metrics', 'AV:N/AC:L/Au:N/C:P/I:P/A:P/PR:N'],
    ['v4 missing SA', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'],
    ['v4 prefix on v3 metrics', 'CVSS:4.0/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N'],
    ['v4 prefix with v3 value', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N']
  ]
  for (const [name, vector] of rejected) {
    test(`rejects ${name}`, () => assert.equal(cvssBaseScore(vector), null))
  }
})
