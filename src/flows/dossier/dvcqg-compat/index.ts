// The DVCQG-compatible face of the dossier flow (/compat/dvcqg/…): what the flow mounts when flows.dossier.dvcqgCompat is set.
export { mountDvcqgCompat, checkAccounts, COMPAT_BASE_PATH, type CompatFaceDeps } from './face';
export { CompatSessions, type CompatAccount } from './sessions';
