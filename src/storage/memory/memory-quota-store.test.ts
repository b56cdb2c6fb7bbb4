import { describeQuotaStore } from '../quota-store.case.js';
import { MemoryQuotaStore } from './memory-quota-store.js';

describeQuotaStore('memory', async () => new MemoryQuotaStore());
