export * from './types.js';
export * from './errors.js';
export * from './check.js';
export * from './validate.js';
export * from './order.js';
export * from './hash.js';
export * from './conversation.js';
export * from './mutations.js';
