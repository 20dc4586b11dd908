/** The model stage: see docs/ARCHITECTURE.md. */
export * from './bitops';
export * from './catalog';
export * from './config';
export * from './docorders';
export * from './effects';
export * from './findings';
export * from './gfp';
export * from './kconfig';
export * from './globs';
export * from './kinds';
export * from './rules';
export * from './vfs';
