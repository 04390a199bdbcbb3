export * from './create-store.js';
export { LocalObjectStore } from './local/local-store.js';
export {
  ObjectExistsError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
} from './object-store.js';
