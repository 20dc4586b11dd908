/** The link stage: see docs/ARCHITECTURE.md. */
export * from './extract';
export * from './kbuild';
export * from './linker';
export * from './scc';
export * from './tree-index';
