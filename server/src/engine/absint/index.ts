/** The absint stage: see docs/ARCHITECTURE.md. */
export * from './apply';
export * from './calls';
export * from './binding';
export * from './domain';
export * from './solver';
export * from './summarise';
export * from './transfer';
export * from './entry';
export * from './taskstate';
export * from './contract';
export * from './errorpath';
export * from './guard';
export * from './stores';
