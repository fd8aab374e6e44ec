/** Every Lua script the store runs, one file per concern; the rules they share are in lua.ts. */
export { Script } from './lua';
export * from './tokens';
export * from './users';
export * from './ephemeral';
