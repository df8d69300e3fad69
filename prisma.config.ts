import { defineConfig } from 'prisma/config';

// The connection URL is only needed by `prisma migrate deploy` / `prisma studio`; Relance applies
// its SQL migrations itself (npm run db:migrate) and connects through @prisma/adapter-pg at run time.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
