import { index, route, type RouteConfig } from '@react-router/dev/routes';

export default [
  index('routes/home.tsx'),
  route('login', 'routes/login.tsx'),
  route('invite/:token', 'routes/invite.tsx'),
  route('logout', 'routes/logout.tsx'),
  route('language', 'routes/language.tsx'),
  route('dashboard', 'routes/dashboard.tsx'),
  route('watch', 'routes/watch.tsx'),
  route('watch/:code', 'routes/watch-station.tsx'),
  route('watchers', 'routes/watchers.tsx'),
  route('calls', 'routes/calls.tsx'),
  route('admin/users', 'routes/admin-users.tsx'),
  route('admin/data', 'routes/admin-data.tsx'),
  route('admin/rights', 'routes/admin-rights.tsx'),
  route('admin/rights/export', 'routes/admin-rights-export.ts'),
  route('admin/audit', 'routes/admin-audit.tsx'),
  route('admin/audit/export', 'routes/admin-audit-export.ts'),
  route('admin/curve', 'routes/admin-curve.tsx'),
  route('admin/imports', 'routes/admin-imports.tsx'),
  route('*', 'routes/not-found.tsx'),
] satisfies RouteConfig;
