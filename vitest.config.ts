import { defineConfig } from 'vitest/config';

// Node 20 here is deliberate (Lambda runs 22): silence the SDK's upgrade notice in the global setup too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const shared = {
  env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'tests',
          include: ['test/**/*.test.ts'],
          exclude: ['test/permissions/**'],
          // DynamoDB Local and the SES emulator are started once for the whole run, then shared.
          globalSetup: ['test/support/global-setup.ts'],
          // Every worker records the AWS calls the functions make, for the permission contract.
          setupFiles: ['test/support/record-aws-calls.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          // Runs after every other test: it evaluates the AWS calls they recorded.
          name: 'permissions',
          include: ['test/permissions/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
