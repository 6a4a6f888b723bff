import tseslint from 'typescript-eslint';

/** What no file of src/ imports, whatever its layer. */
const SRC_WIDE = [
  { group: ['**/testkit/**', '**/testkit'], message: 'src/ ships; test doubles live in testkit/ and never reach src/.' },
  { group: ['**/test/**', '**/bench/**', '**/chaos/**'], message: 'src/ never imports tests, the bench or the chaos suite.' },
  { group: ['axios', 'node-fetch'], message: 'outbound HTTP goes through upstreams/http-kit (one undici pool per upstream): one client stack.' },
];
const UNDICI_ONLY_IN_HTTP_KIT = { group: ['undici'], message: 'undici is used through upstreams/http-kit (UpstreamPool) only.' };
const UPSTREAMS = {
  group: ['**/messaging/**', '**/transport/**', '**/stores/**', '**/audit/**', '**/http/**', '**/flows/**', '**/config/**', '**/cli/**', '**/bus', '**/bus-config'],
  message: 'upstreams/ are clients and mappings: they know only core/ and their HTTP kit.',
};

const BELOW_MESSAGING = { group: ['**/messaging/**', '**/http/**', '**/flows/**', '**/upstreams/**', '**/cli/**', '**/bus'], message: 'transport/, stores/ and audit/ sit below messaging/.' };

/**
 * Import rules of the layers (docs/architecture.md): each entry says what a folder may not import. A file takes the
 * rule of the last entry matching it, so every src/ entry repeats the src-wide patterns.
 */
const LAYERS = [
  { files: ['src/**/*.ts'], patterns: [...SRC_WIDE, UNDICI_ONLY_IN_HTTP_KIT] },
  {
    files: ['src/core/**/*.ts'],
    patterns: [
      ...SRC_WIDE,
      UNDICI_ONLY_IN_HTTP_KIT,
      {
        group: ['**/config/**', '**/messaging/**', '**/transport/**', '**/stores/**', '**/audit/**', '**/http/**', '**/flows/**', '**/upstreams/**', '**/observability/**', '**/cli/**', '**/bus', '**/bus-config'],
        message: 'core/ is the bottom layer: it imports nothing of the bus.',
      },
    ],
  },
  {
    files: ['src/config/**/*.ts'],
    patterns: [
      ...SRC_WIDE,
      UNDICI_ONLY_IN_HTTP_KIT,
      {
        group: [
          ...['messaging', 'transport', 'stores', 'audit', 'http', 'flows', 'upstreams', 'observability', 'cli'].flatMap((layer) => [`**/${layer}`, `**/${layer}/**`]),
          '**/bus',
          '**/bus-config',
        ],
        message: 'config/ imports only core/: the flows and the gateway hand in their descriptors (src/bus-config.ts).',
      },
    ],
  },
  { files: ['src/upstreams/**/*.ts'], patterns: [...SRC_WIDE, UNDICI_ONLY_IN_HTTP_KIT, UPSTREAMS] },
  { files: ['src/upstreams/http-kit/**/*.ts'], patterns: [...SRC_WIDE, UPSTREAMS] },
  { files: ['src/audit/**/*.ts'], patterns: [...SRC_WIDE, UNDICI_ONLY_IN_HTTP_KIT, BELOW_MESSAGING] },
  {
    files: ['src/stores/**/*.ts'],
    patterns: [
      ...SRC_WIDE,
      UNDICI_ONLY_IN_HTTP_KIT,
      BELOW_MESSAGING,
      { group: ['**/transport', '**/transport/**'], message: 'stores/ know no transport: the transports own their queues and dead letters (imports run transport → stores only).' },
    ],
  },
  {
    files: ['src/transport/**/*.ts'],
    patterns: [
      ...SRC_WIDE,
      UNDICI_ONLY_IN_HTTP_KIT,
      BELOW_MESSAGING,
      {
        // The migrators, the SQLite file opener and its group commit are shared machinery; the stores' tables and ports are not.
        regex: '(^|/)stores(/(?!(migrations|sqlite/sqlite-migrator|postgres/postgres-migrator|sqlite/sqlite-stores|sqlite/sqlite-group-commit)$).*)?$',
        message: 'transport/ keeps its own queues and dead letters: of stores/ it uses only the migrators, openSqlite and the SQLite group commit.',
      },
      {
        group: ['**/stores/sqlite/sqlite-stores'],
        allowImportNames: ['openSqlite', 'SqliteDatabase'],
        message: 'transport/ keeps its own queues and dead letters: of stores/ it uses only the migrators, openSqlite and the SQLite group commit.',
      },
    ],
  },
  {
    files: ['src/messaging/**/*.ts'],
    patterns: [...SRC_WIDE, UNDICI_ONLY_IN_HTTP_KIT, { group: ['**/http/**', '**/flows/**', '**/cli/**', '**/bus'], message: 'messaging/ sits below flows/ and http/.' }],
  },
  {
    // `npm run test:unit` runs test/unit with neither RabbitMQ nor PostgreSQL: those tests reach for neither.
    files: ['test/unit/**/*.ts'],
    patterns: [
      { group: ['amqplib', '**/transport/amqp/**', '**/stores/postgres/**', '**/testkit/amqp-cleanup', '**/testkit/pg-schema', '**/testkit/bus-process', '**/testkit/worlds/*-world'], message: 'test/unit needs no broker or database; such tests live in test/integration.' },
      { group: ['**/testkit/env'], importNames: ['AMQP_URL', 'DATABASE_URL'], message: 'test/unit needs no broker or database; such tests live in test/integration.' },
    ],
  },
  {
    files: ['bench/**/*.ts', 'chaos/**/*.ts', 'testkit/**/*.ts'],
    patterns: [{ group: ['**/test/**'], message: 'the bench, the chaos suite and testkit/ import testkit/, never test/.' }],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'contracts/generated/**', 'coverage/**', 'src/http/console/ui/**/*.js', '.cluster/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...LAYERS.map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } })),
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
