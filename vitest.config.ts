import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Fails the run when a test left a /dev/shm/nova-* region behind (issue 13).
    globalSetup: ["test/global-shm-check.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: keep parallelism modest so timing-sensitive tests stay honest.
    maxWorkers: 2,
  },
});
