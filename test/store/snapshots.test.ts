import { randomUUID } from 'node:crypto';
import { LocalAppSnapshots } from '../../src/core/app-snapshot.ts';
import { SqliteAppSnapshots } from '../../src/store/embedded/sqlite-snapshots.ts';
import { RedisAppSnapshots } from '../../src/store/redis/redis-snapshots.ts';
import { redisForFile } from '../helpers/redis-client.ts';
import { snapshotContract } from './snapshot-contract.ts';

const redis = redisForFile();

snapshotContract('in process', async () => new LocalAppSnapshots());
snapshotContract('embedded (node:sqlite)', async () => new SqliteAppSnapshots(':memory:'));
snapshotContract('Redis', async () => new RedisAppSnapshots(redis.client, `t-${randomUUID()}`));
