import { MemoryStore } from './memory-store.js';
import { describeSessionStore } from './session-store.conformance.js';

describeSessionStore('MemoryStore', {
  create: () => new MemoryStore(),
  cleanup: (store) => store.close(),
});
