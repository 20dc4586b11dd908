/** The cfg stage: see docs/ARCHITECTURE.md. */
export * from './base';
export * from './build';
export * from './cond';
export * from './expr';
export * from './accessors';
export * from './predicates';
