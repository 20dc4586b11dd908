/** The checks stage: see docs/ARCHITECTURE.md. */
export * from './baseline';
export * from './checks';
export * from './docorder';
export * from './lockorder';
export * from './suppress';
export * from './cycles';
