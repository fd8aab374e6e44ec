/** Whether the tests run under CI (`CI` set to anything but empty, `0` or `false`). See ci-env.js. */
export declare function isCI(env?: NodeJS.ProcessEnv): boolean;
