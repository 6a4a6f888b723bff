// Every flow the bus runs; a new business capability is a folder in src/flows plus one line here.
import { edocFlow } from './edoc';
import type { Flow } from './flow';

export const FLOWS: Flow[] = [edocFlow];
