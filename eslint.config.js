// Lint rules, including the dependency arrows between the layers (docs/architecture.md):
//   cli -> app -> {server, db, core, crypto, config}; server -> core, crypto;
//   db -> core; core -> crypto; crypto, config -> nothing internal.
// Frameworks stay in their layer: h3 in server, drizzle and drivers in db, commander in cli.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (name) => [`**/${name}/**`, `../${name}`, `../../${name}`];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const deny = (layers, packages, why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...(layers.length ? [{ group: layers.flatMap(layer), message: why, allowTypeImports: true }] : []),
        ...(packages.length ? [{ group: packages, message: why, allowTypeImports: true }] : []),
      ],
    },
  ],
  // The same arrows for lazy `await import(…)`, which no-restricted-imports does not see.
  'no-restricted-syntax': [
    'error',
    {
      selector: `ImportExpression[source.value=/(^|\\/)(${layers.join('|')})\\/|^(${packages.map((p) => escape(p).replace('\\*', '.*')).join('|')})$/]`,
      message: why,
    },
  ],
});
const DRIVERS = ['better-sqlite3', 'pg', 'drizzle-orm', 'drizzle-orm/*'];
// h3 and the server layer it stands on.
const HTTP = ['h3', 'srvx', 'srvx/*'];
// The SMTP client lives in src/app/smtp.ts only (behind core's MailTransport port).
const MAIL = ['nodemailer', 'nodemailer/*'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'bench/results/', 'src/db/migrations/*.gen.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', fetch: 'readonly', Request: 'readonly', Response: 'readonly', Headers: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['src/crypto/**'], rules: deny(['core', 'db', 'server', 'app', 'cli', 'config'], [...HTTP, 'commander', ...DRIVERS, ...MAIL], 'crypto depends on nothing internal (docs/architecture.md)') },
  { files: ['src/config/**'], rules: deny(['core', 'db', 'server', 'app', 'cli', 'crypto'], [...HTTP, 'commander', ...DRIVERS, ...MAIL], 'config depends on nothing internal (docs/architecture.md)') },
  { files: ['src/core/**'], rules: deny(['db', 'server', 'app', 'cli', 'config'], [...HTTP, 'commander', 'pino', 'prom-client', ...DRIVERS, ...MAIL], 'core is framework-free and depends only on crypto (docs/architecture.md)') },
  { files: ['src/db/**'], rules: deny(['server', 'app', 'cli', 'config'], [...HTTP, 'commander', ...MAIL], 'db depends only on core ports and errors (docs/architecture.md)') },
  { files: ['src/db/**'], ignores: ['src/db/drivers/**'], rules: deny(['server', 'app', 'cli', 'config'], [...HTTP, 'commander', 'better-sqlite3', 'pg'], 'only src/db/drivers/ opens database drivers (docs/architecture.md)') },
  { files: ['src/server/**'], rules: deny(['db', 'app', 'cli', 'config'], ['commander', ...DRIVERS, ...MAIL], 'server depends on core and crypto only (docs/architecture.md)') },
  { files: ['src/app/**'], rules: deny(['cli'], ['commander', ...HTTP, ...DRIVERS], 'app composes layers; frameworks stay in theirs (docs/architecture.md)') },
  { files: ['src/cli/**'], rules: deny(['db', 'server', 'crypto'], [...HTTP, ...DRIVERS, ...MAIL], 'the CLI goes through src/app (docs/architecture.md)') },
);
