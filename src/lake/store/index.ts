export { LocalObjectStore } from './local/local-store.js';
export { type ObjectInfo, ObjectExistsError, ObjectNotFoundError, type ObjectStore, type PutOptions } from './object-store.js';
