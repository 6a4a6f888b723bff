// Every flow the bus runs; a new business capability is a folder in src/flows plus one line here.
import { dossierFlow } from './dossier/dossier-flow';
import { edocFlow } from './edoc';
import { registerFlow, type RegisteredFlow } from './flow';

export const FLOWS: RegisteredFlow[] = [registerFlow(dossierFlow), registerFlow(edocFlow)];
