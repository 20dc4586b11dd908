/** The ir stage: see docs/ARCHITECTURE.md. */
export * from './ir';
export * from './lockname';
export * from './lockref';
export * from './strings';
