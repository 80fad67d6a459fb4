import type { ResourceDecl } from './resource.ts'
import type { FieldDecl, ResourceName } from './fields.ts'
import { BASE_FIELDS } from './resource.ts'
import { vulnerability } from './vulnerability.ts'
import { complianceControl } from './compliance-control.ts'
import { riskItem } from './risk-item.ts'

/** Every resource the service serves. Adding one means a new file and a line here. */
export const RESOURCES: readonly ResourceDecl[] = [vulnerability, complianceControl, riskItem]

export function resourceByName (name: ResourceName): ResourceDecl {
  const found = RESOURCES.find((r) => r.name === name)
  if (!found) throw new Error(`unknown resource ${name}`)
  return found
}

/** Base fields followed by the resource's own, in declaration order: the record's shape. */
export function allFields (resource: ResourceDecl): readonly FieldDecl[] {
  return [...BASE_FIELDS, ...resource.fields]
}

/** Fields with a column on the resource's table (aliases and link-table relations have none). */
export function columnFields (resource: ResourceDecl): readonly FieldDecl[] {
  return allFields(resource).filter((field) => !field.aliasOf && !field.link)
}

export function linkFields (resource: ResourceDecl): readonly FieldDecl[] {
  return resource.fields.filter((field) => field.link)
}

export function aliasFields (resource: ResourceDecl): readonly FieldDecl[] {
  return resource.fields.filter((field) => field.aliasOf)
}

export { vulnerability, complianceControl, riskItem }
export type { ResourceDecl }
