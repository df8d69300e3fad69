import type { Route } from './+types/admin-rights-export';

/** A request for access answered as a file: everything held about the person, in JSON. */
export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.dataProtection);
  return context.submit(request, context.forms.personKey, async (key) => {
    const record = await context.services.people.rights.show(key, actor);
    return new Response(`${JSON.stringify(record, null, 2)}\n`, {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': 'attachment; filename="relance-person.json"',
      },
    });
  });
}
