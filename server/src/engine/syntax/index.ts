/** The syntax stage: see docs/ARCHITECTURE.md. */
export * from './aliases';
export * from './ctypes';
export * from './idioms';
export * from './macros';
export * from './parser';
export * from './segments';
export * from './depth';
export * from './reparse';
export * from './lockclass';
export * from './conditionals';
