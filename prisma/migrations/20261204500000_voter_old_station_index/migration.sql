-- The first data model's index on (station_id, support_level, voted_at, sms_consent, call_consent).
-- No query reads voters through it any more: the list builder and the count of supporters left to
-- vote read voter_chase_idx, the strike lists (station_id, list_number). Every mark and every call's
-- outcome writes the voter's row (decision 030), and wrote an entry in it too.
DROP INDEX "voter_station_id_support_level_voted_at_sms_consent_call_co_idx";
