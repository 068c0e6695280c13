/** The static memory plan: see plan.ts for what it covers and guarantees. */
export { ALIGNMENT, PlanError, affineBytes, evalAffine, formatAffine, type Affine } from './affine.js';
export { checkPlan } from './check.js';
export { checkInterpreterBatch, checkPlanFits } from './fit.js';
export { planMemory, type MemoryPlan, type PlannedValue } from './plan.js';
