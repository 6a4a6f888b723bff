// Every flow the bus runs; a new business capability is a folder in src/flows plus one line here and one in
// settings.ts (its descriptor, for the config loader): docs/adding-a-flow.md.
import { dossierFlow } from './dossier/dossier-flow';
import { edocFlow } from './edoc';
import { registerFlow, type RegisteredFlow } from './flow';

export const FLOWS: RegisteredFlow[] = [registerFlow(dossierFlow), registerFlow(edocFlow)];
