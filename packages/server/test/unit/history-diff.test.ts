import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { diff } from '../../src/records/history.ts'
import { complianceControl, vulnerability } from '../../src/resources/index.ts'

// The `changes` of a history entry, computed without a database.

describe('history changes', () => {
  test('a create lists only the fields it set, without bookkeeping', () => {
    const changes = diff(vulnerability, null, {
      id: 'vul_1',
      tenant_id: 't',
      app_id: 'app',
      created_at: 'x',
      updated_at: 'x',
      created_by: 'a',
      updated_by: 'a',
      schema_version: 1,
      is_deleted: false,
      title: 'T',
      description: null,
      severity: 'low'
    })
    assert.deepEqual(changes, { title: { from: null, to: 'T' }, severity: { from: null, to: 'low' } })
  })
  test('an update lists changed fields with from and to, including clears', () => {
    const before = { title: 'A', description: 'D', severity: 'low', updated_at: '1' }
    const after = { title: 'B', description: null, severity: 'low', updated_at: '2' }
    assert.deepEqual(diff(vulnerability, before, after), { title: { from: 'A', to: 'B' }, description: { from: 'D', to: null } })
  })
  test('JSON values compare by structure, not key order; arrays by order', () => {
    const before = { custom_fields: { b: 1, a: { y: [1, 2], x: null } }, tags: ['p', 'q'] }
    assert.deepEqual(diff(complianceControl, before, { custom_fields: { a: { x: null, y: [1, 2] }, b: 1 }, tags: ['p', 'q'] }), {})
    assert.deepEqual(Object.keys(diff(complianceControl, before, { ...before, tags: ['q', 'p'] })), ['tags'])
  })
  test('link fields are part of the changes', () => {
    assert.deepEqual(diff(complianceControl, { mapped_control_ids: [] }, { mapped_control_ids: ['ctl_b'] }),
      { mapped_control_ids: { from: [], to: ['ctl_b'] } })
  })
})
