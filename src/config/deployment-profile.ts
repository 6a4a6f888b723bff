// The deployment profile: production (the default) or development (`npm start`'s demo, tests), chosen by LGSP_PROFILE.
//
// Development settings are never implicit: the development profile loads `bus.development.yaml` beside `bus.yaml`
// (demo keys, the demo admin, inline demo secrets, a generated audit key) and marks the config as development. In the
// production profile none of those may be present (see production-guard.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';

export type DeploymentProfile = 'production' | 'development';

export const PROFILE_ENV = 'LGSP_PROFILE';

/** The overlay the development profile loads over bus.yaml. */
export const DEVELOPMENT_OVERLAY_FILE = 'bus.development.yaml';

export function profileOf(value: string | undefined): DeploymentProfile | null {
  if (value === undefined || value === '' || value === 'production') return 'production';
  return value === 'development' ? 'development' : null;
}

export function developmentOverlayPath(configDir: string): string | null {
  const file = path.join(configDir, DEVELOPMENT_OVERLAY_FILE);
  return existsSync(file) ? file : null;
}

/** Deep merge of YAML mappings: the overlay's mappings merge key by key; its other values (lists too) replace. */
export function mergeOverlay(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    merged[key] = isMapping(current) && isMapping(value) ? mergeOverlay(current, value) : value;
  }
  return merged;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
