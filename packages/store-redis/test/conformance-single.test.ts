import { describeStoreConformance } from '@authmount/core/conformance';
import { redisStore } from '@authmount/store-redis';
import { describeWithSharedRedis, uniquePrefix } from '../../../test-support/redis';

describeWithSharedRedis('redis store on a single node', (url) => {
  describeStoreConformance({
    name: 'redis (single node)',
    create: () => redisStore({ url, prefix: uniquePrefix('conf'), dropKeysOnClose: true }),
    clients: true,
  });
});
