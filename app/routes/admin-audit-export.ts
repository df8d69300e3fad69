import type { Route } from './+types/admin-audit-export';

/** The audit trail as CSV, with the page's filters; the export is itself recorded. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const actor = context.requireRole(context.access.auditTrail);
  const parsed = context.services.auditTrail.filterSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const csv = await context.services.auditTrail.csv(parsed.success ? parsed.data : {}, actor);
  const day = context.services.clock.now().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="relance-audit-${day}.csv"` },
  });
}
