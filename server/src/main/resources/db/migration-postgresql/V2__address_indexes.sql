-- PostgreSQL only (H2 has no partial indexes; AddressSql names its index there instead).
--
-- Picking a free address must read one row however many are taken. With the index of V1,
-- PostgreSQL cannot return "server_id IS NULL ... ORDER BY id" in index order (IS NULL is not an
-- equality to the planner), so it either walked the primary key past every address already taken
-- (linear in the pool's use: ~15 ms per allocation at 100,000 servers) or, on a table not yet
-- analyzed, took the holder constraint's unique index, which it believes yields one row, and sorted
-- the whole free pool (300 ms per allocation on a /16). Partial indexes over the free rows alone,
-- ordered as the queries ask, make both picks a single index probe.
CREATE INDEX ip_addresses_never_used ON ip_addresses (location_id, family, id)
    WHERE server_id IS NULL AND released_at IS NULL;
CREATE INDEX ip_addresses_released ON ip_addresses (location_id, family, released_at, id)
    WHERE server_id IS NULL AND released_at IS NOT NULL;
DROP INDEX ip_addresses_free;

-- The holder constraint holds only for held addresses: a free row has nothing to be unique about,
-- and without those rows the planner can no longer mistake this index for a way to find free ones.
CREATE UNIQUE INDEX ip_addresses_holder ON ip_addresses (server_id, family) WHERE server_id IS NOT NULL;
ALTER TABLE ip_addresses DROP CONSTRAINT ip_addresses_holder_unique;
