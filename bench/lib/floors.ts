/**
 * Which hand-written floor each server is held against (issue 18): the added CPU of a guard (its server
 * CPU µs per request minus bare Express's, same round) as a multiple of its floor's added CPU.
 * In-memory guards are compared with map-bearer (a `Map` lookup), Redis ones with redis-floor (one
 * GETEX). A server not listed here has no floor and no multiple.
 */
export const FLOOR_OF: Readonly<Record<string, string>> = {
  'authmount-memory': 'map-bearer',
  'authmount-pcloud': 'map-bearer',
  'authmount-xauth': 'map-bearer',
  'authmount-cbtoken': 'map-bearer',
  'passport-bearer': 'map-bearer',
  'session-memory': 'map-bearer',
  'authmount-redis': 'redis-floor',
  'authmount-redis-cluster': 'redis-floor',
  'session-redis': 'redis-floor',
};

/** authmount's own servers carry the target: added CPU ≤ 1.5× the floor's. */
export const FLOOR_TARGET = 1.5;
export const TARGETED = [
  'authmount-memory',
  'authmount-pcloud',
  'authmount-xauth',
  'authmount-cbtoken',
  'authmount-redis',
  'authmount-redis-cluster',
];
