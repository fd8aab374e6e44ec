import assert from 'node:assert/strict';
import type { OAuthClientRegistry } from '../store';
import { oauthClient } from './fixtures';
import { eq, type Ctx } from './support';

/** OAuthClientRegistry: exact ids, put-if-absent with one winner, removal, listing by id, copies. */
export function clientTests(ctx: Ctx<OAuthClientRegistry>): void {
  const { describe, it } = ctx.runner;
  const client = (over: Parameters<typeof oauthClient>[1] = {}) => oauthClient(ctx.now, over);

  describe('OAuth clients', () => {
    it('creates a client and finds it unchanged, by its exact id only', async () => {
      const c = client({ clientId: 'Photo_App-1', name: 'Fotos «Ünïcode»', redirectUris: [], scopes: [], pollToken: true });
      assert.equal(await ctx.store.create(c), true);
      eq(await ctx.store.find('Photo_App-1'), c);
      assert.equal(await ctx.store.find('photo_app-1'), null);
      assert.equal(await ctx.store.find('Photo_App'), null);
      assert.equal(await ctx.store.find('nope'), null);
    });

    it('refuses a taken id and keeps the original', async () => {
      const c = client();
      assert.equal(await ctx.store.create(c), true);
      assert.equal(await ctx.store.create(client({ name: 'Impostor', redirectUris: ['https://evil.example/cb'] })), false);
      eq(await ctx.store.find(c.clientId), c);
    });

    it('lets exactly one of many concurrent creates of one id win', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.store.create(client({ clientId: 'race', name: `n${i}` }))),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.equal((await ctx.store.find('race'))?.name, `n${winner}`);
    });

    it('removes a client once; its id can be registered again', async () => {
      await ctx.store.create(client());
      assert.equal(await ctx.store.remove('app'), true);
      assert.equal(await ctx.store.remove('app'), false);
      assert.equal(await ctx.store.find('app'), null);
      assert.equal(await ctx.store.remove('never'), false);
      assert.equal(await ctx.store.create(client({ name: 'Again' })), true);
      assert.equal((await ctx.store.find('app'))?.name, 'Again');
    });

    it('lists every client by id in string order', async () => {
      eq(await ctx.store.list(), []);
      const made = ['b', 'B', 'a-2', 'a'].map((clientId) => client({ clientId }));
      for (const c of made) await ctx.store.create(c);
      await ctx.store.remove('a-2');
      eq(
        (await ctx.store.list()).map((c) => c.clientId),
        ['B', 'a', 'b'],
      );
      eq((await ctx.store.list())[0], made[1]);
    });

    it('hands out copies, and keeps none of the caller’s objects', async () => {
      const c = client();
      await ctx.store.create(c);
      c.redirectUris.push('https://evil.example/cb');
      c.name = 'changed';
      const found = await ctx.store.find('app');
      assert.ok(found);
      eq(found.redirectUris, ['https://photos.example/cb', 'http://localhost:8123/cb']);
      found.scopes.push('account');
      eq((await ctx.store.find('app'))?.scopes, ['read', 'write']);
      eq((await ctx.store.list())[0].name, 'Photo Backup');
    });
  });
}
