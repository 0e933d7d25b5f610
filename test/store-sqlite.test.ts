import { SqliteStore } from '../store/sqlite/store';
import { generateRegisterFile, storeContract } from './store-contract';

// The embedded store against the shared contract (test/store-contract.ts), on a generated register.
storeContract('SqliteStore', async () => {
  const register = generateRegisterFile();
  const store = SqliteStore.open(register.file);
  return {
    store,
    db: register.db,
    close: async () => {
      await store.close();
      register.remove();
    },
  };
});
