/**
 * The contracts stage: a function's inferred lock contract (its summary) written out as kernel annotations and
 * lockdep assertions, as insertions into its text that the user applies (a diff, an editor's code action).
 */
export * from './edits';
export { type ContractLock, type InferredContract, inferContract, lockKinds } from './infer';
export { type Pos, findDefinition } from './source';
