import type { APIPromise } from '../core/api-promise.ts'
import type { ActionOptions } from '../core/options.ts'
import type {
  ComplianceControl, ComplianceControlCreate, ComplianceControlHistoryParams, ComplianceControlListParams, ComplianceControlPatch,
  RiskItem, RiskItemCreate, RiskItemHistoryParams, RiskItemListParams, RiskItemPatch,
  Vulnerability, VulnerabilityCreate, VulnerabilityHistoryParams, VulnerabilityListParams, VulnerabilityPatch, VulnerabilityResolve
} from '../generated/types.ts'
import { RESOURCES } from '../generated/types.ts'
import { Resource } from './resource.ts'
import type { Requester, WithETag } from './resource.ts'

// The three resources of SPEC §3, grouped under `client.risk` as in the seed's examples.

export class Vulnerabilities extends Resource<{
  record: Vulnerability
  create: VulnerabilityCreate
  patch: VulnerabilityPatch
  listParams: VulnerabilityListParams
  historyParams: VulnerabilityHistoryParams
}> {
  constructor (client: Requester) {
    super(client, RESOURCES.vulnerabilities.path)
  }

  /**
   * Closes a vulnerability: `remediated` (default), `accepted_risk` (needs `justification` and the
   * risk:accept scope) or `false_positive` (needs `justification`).
   */
  resolve (id: string, body: VulnerabilityResolve = {}, options?: ActionOptions): APIPromise<WithETag<Vulnerability>> {
    return this.record({ method: 'POST', path: `${this.itemPath(id)}/resolve`, body }, options)
  }
}

export class ComplianceControls extends Resource<{
  record: ComplianceControl
  create: ComplianceControlCreate
  patch: ComplianceControlPatch
  listParams: ComplianceControlListParams
  historyParams: ComplianceControlHistoryParams
}> {
  constructor (client: Requester) {
    super(client, RESOURCES.complianceControls.path)
  }
}

export class RiskItems extends Resource<{
  record: RiskItem
  create: RiskItemCreate
  patch: RiskItemPatch
  listParams: RiskItemListParams
  historyParams: RiskItemHistoryParams
}> {
  constructor (client: Requester) {
    super(client, RESOURCES.riskItems.path)
  }
}

/** The Risk & Compliance domain: `client.risk.vulnerabilities` and friends. */
export class Risk {
  readonly vulnerabilities: Vulnerabilities
  readonly complianceControls: ComplianceControls
  readonly riskItems: RiskItems

  constructor (client: Requester) {
    this.vulnerabilities = new Vulnerabilities(client)
    this.complianceControls = new ComplianceControls(client)
    this.riskItems = new RiskItems(client)
  }
}
