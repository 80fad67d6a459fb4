import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cvssBaseScore } from '../../src/resources/cvss.ts'
import { EXTRACTORS, osvVectors, readGeneric, refdataPresent, SCANS_DIR } from '../support/scan-cvss.ts'

// Our CVSS base scores against the scores published in real scanner reports (NVD, vendors such as
// Red Hat and GitHub, Snyk, Tenable) in ../shared/refdata/scans. Left out, on purpose:
// - temporal scores (Tenable "CVSS Temporal Score", Nessus <cvss_temporal_score>): not base scores;
// - Dependency-Track and the Grype SARIF report: they publish scores without vectors;
// - OSV-Scanner: vectors without scores (checked below to parse);
// - the generic v4 report: hand-written DefectDojo test data (MANIFEST.md) whose "CVSS:4.0" vector
//   carries v3 metrics, so its 7.3 is no published score; it must be rejected as a v4 vector.

const present = refdataPresent()
const skip = present ? false : `refdata absent: ${SCANS_DIR} not found (CI clones shared/ beside the repository)`

describe('CVSS base scores match published scores of real CVEs', { skip }, () => {
  let checked = 0
  for (const [file, extract] of Object.entries(EXTRACTORS)) {
    test(file, () => {
      const pairs = extract(file)
      assert.ok(pairs.length > 0, `no (vector, score) pairs found in ${file}`)
      const wrong = pairs.flatMap((p) => {
        const computed = cvssBaseScore(p.vector)
        return computed?.baseScore === p.score ? [] : [`${p.where}: ${p.vector} published ${p.score}, computed ${computed?.baseScore ?? 'invalid'}`]
      })
      assert.deepEqual(wrong, [])
      checked += pairs.length
    })
  }
  test('every version appears, and the count is reported', () => {
    const all = Object.entries(EXTRACTORS).flatMap(([file, extract]) => extract(file))
    const versions = new Set(all.map((p) => cvssBaseScore(p.vector)?.version))
    for (const v of ['2.0', '3.0', '3.1']) assert.ok(versions.has(v as never), `no v${v} pair in the reports`)
    console.log(`# CVSS: ${checked} (vector, published base score) pairs from ${Object.keys(EXTRACTORS).length} scanner reports agree`)
    assert.equal(checked, all.length)
  })
  test('OSV-Scanner vectors all parse', () => {
    const vectors = osvVectors()
    assert.ok(vectors.length > 0)
    assert.deepEqual(vectors.filter((v) => cvssBaseScore(v) === null), [])
  })
  test('the hand-written "CVSS:4.0" vector of the generic report is not a v4 vector', () => {
    const finding = readGeneric().findings.find((f: { cvssv4?: string }) => f.cvssv4)
    assert.equal(cvssBaseScore(finding.cvssv4), null)
    assert.notEqual(cvssBaseScore(finding.cvssv3), null)
  })
})
