// Preloaded (`node --require`) into child processes of the `ioredis5` jest project: `require('ioredis')`
// resolves to the `ioredis5` dev dependency (ioredis 5), as jest's moduleNameMapper does in-process.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === 'ioredis' ? 'ioredis5' : request, ...rest);
};
