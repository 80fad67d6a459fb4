import neostandard from 'neostandard'

// One style for the whole repository (standard, as fastify uses), checked by `npm test`.
export default [
  ...neostandard({
    ts: true,
    ignores: ['**/dist/**', '**/node_modules/**', 'packages/sdk/src/generated/**', 'packages/explorer/public/**', 'data/**', '.bench-data/**']
  }),
  {
    rules: {
      // `void promise` marks a deliberately unawaited call.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
