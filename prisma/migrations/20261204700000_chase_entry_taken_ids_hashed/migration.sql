-- The ids of taken entries (20261204600000) in a hash index rather than a B-tree: it finds an
-- entry by its id, and can do nothing else.
--
-- A B-tree on id also hands out every taken entry in id order, and "next person" asks for the
-- first call a volunteer holds in id order. Planned while the day's first calls were being made,
-- and kept by each connection, that statement read the taken entries in id order until it met one
-- of the volunteer's, instead of going to the index of held calls: every call made so far, read
-- again at each claim, so that claims slowed down as the day went on (decision 032). A hash index
-- gives no order and cannot be read whole, so the index of held calls is the only way left.
--
-- A hash index cannot be unique: the ids stay unique by their sequence, as those of pending
-- entries already were.
DROP INDEX "chase_entry_taken_idx";
CREATE INDEX "chase_entry_taken_idx" ON "chase_entry" USING HASH ("id") WHERE "state" <> 'pending';
