-- The audit trail stays append-only, with one exception: entries older than the retention period
-- (AUDIT_RETENTION_MONTHS) may be deleted, by a transaction that names that limit first with
-- SET LOCAL relance.audit_delete_before = '<timestamp>' (server/audit/audit.trail.ts). Anything
-- else is refused, as before. Indexes for the audit trail page's filters.

CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger AS $$
DECLARE
  delete_before timestamptz := NULLIF(current_setting('relance.audit_delete_before', true), '')::timestamptz;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF delete_before IS NOT NULL AND OLD.at < delete_before THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only';
  END IF;
  IF NEW.at IS DISTINCT FROM OLD.at OR NEW.action IS DISTINCT FROM OLD.action
     OR NEW.subject_type IS DISTINCT FROM OLD.subject_type OR NEW.subject_id IS DISTINCT FROM OLD.subject_id
     OR NEW.details IS DISTINCT FROM OLD.details THEN
    RAISE EXCEPTION 'audit_event is append-only';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- CreateIndex
CREATE INDEX "audit_event_action_at_idx" ON "audit_event"("action", "at");

-- CreateIndex
CREATE INDEX "audit_event_actor_user_id_at_idx" ON "audit_event"("actor_user_id", "at");
