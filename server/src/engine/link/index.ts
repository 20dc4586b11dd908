/** The link stage: see docs/ARCHITECTURE.md. */
export * from './entries';
export * from './extract';
export * from './kbuild';
export * from './linker';
export * from './scc';
export * from './touches';
export * from './tree-index';
