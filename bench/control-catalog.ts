import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ControlSource } from './seed-data.ts'

// NIST SP 800-53 rev. 5 controls for seeded compliance controls, read at run time from the shared
// reference data (the OSCAL MODERATE baseline catalog) when it is beside the repository — never
// copied into it. Without it, generated controls of the same shape stand in.

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const CATALOG_PATH = resolve(REPO_ROOT, '../shared/refdata/frameworks/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json')

interface OscalPart { name: string, prose?: string, parts?: OscalPart[] }
interface OscalControl { id: string, title: string, props?: Array<{ name: string, value: string, class?: string }>, parts?: OscalPart[], controls?: OscalControl[] }
interface OscalGroup { title: string, controls?: OscalControl[] }

function prose (parts: OscalPart[] | undefined, name: string): string {
  const out: string[] = []
  const walk = (list: OscalPart[] | undefined, inside: boolean) => {
    for (const part of list ?? []) {
      const hit = inside || part.name === name
      if (hit && part.prose) out.push(part.prose)
      walk(part.parts, hit)
    }
  }
  walk(parts, false)
  // Parameters appear as {{ insert: param, … }}; a seeded record needs readable text.
  return out.join(' ').replace(/\{\{[^}]*\}\}/g, '[Assignment: organization-defined value]').slice(0, 4000)
}

function label (control: OscalControl): string {
  return control.props?.find((p) => p.name === 'label' && !p.class)?.value ?? control.id.toUpperCase()
}

export function nistControls (): { controls: ControlSource[], from: string } {
  if (!existsSync(CATALOG_PATH)) return { controls: generatedControls(), from: 'generated (../shared/refdata absent)' }
  const catalog = JSON.parse(readFileSync(CATALOG_PATH, 'utf8')).catalog as { groups: OscalGroup[] }
  const controls: ControlSource[] = []
  const add = (group: OscalGroup, control: OscalControl, parent?: OscalControl) => {
    controls.push({
      control_id: label(control),
      title: parent ? `${parent.title} | ${control.title}` : control.title,
      category: group.title,
      description: prose(control.parts, 'statement') || control.title,
      objective: prose(control.parts, 'assessment-objective') || `Ensure ${control.title.toLowerCase()} is implemented.`,
      implementation_guidance: prose(control.parts, 'guidance') || null
    })
    for (const child of control.controls ?? []) add(group, child, control)
  }
  for (const group of catalog.groups) for (const control of group.controls ?? []) add(group, control)
  return { controls, from: 'NIST SP 800-53 rev. 5 MODERATE baseline (OSCAL, ../shared/refdata)' }
}

function generatedControls (): ControlSource[] {
  const families = [['AC', 'Access Control'], ['AU', 'Audit and Accountability'], ['CM', 'Configuration Management'], ['IA', 'Identification and Authentication'], ['SC', 'System and Communications Protection'], ['SI', 'System and Information Integrity']]
  const out: ControlSource[] = []
  for (const [code, family] of families) {
    for (let n = 1; n <= 20; n++) {
      out.push({
        control_id: `${code}-${n}`,
        title: `${family} control ${n}`,
        category: family!,
        description: `The organization defines, documents and enforces ${family!.toLowerCase()} requirement ${n}.`,
        objective: `Determine if ${family!.toLowerCase()} requirement ${n} is implemented.`,
        implementation_guidance: null
      })
    }
  }
  return out
}
