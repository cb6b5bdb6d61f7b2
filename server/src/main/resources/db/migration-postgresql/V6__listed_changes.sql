-- PostgreSQL only: how many times the servers each counter row counts have changed in what a
-- customer's list shows of them, kept by the same deferred triggers as the counts (V3), in the
-- same transaction as the change. Every change of a listed server adds one to at least one row of
-- its account (a move between statuses or locations to both rows), no row is ever removed and no
-- number ever falls, so two reads of the sum of an account's rows (for a list's filter) that give
-- the same figure saw the same listed servers, whatever they saw in between. vpsd keeps recent
-- pages in memory with that sum and the catalog's number (store/ListedPages) and answers from them
-- only when one statement, in the request's own snapshot, reads both unchanged: no answer shows an
-- older state than a fresh read would.
ALTER TABLE server_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION server_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO server_counts (account_id, status, location_id, slot, n, changes)
        VALUES (NEW.account_id, NEW.status, NEW.location_id, NEW.id % 8, 1, 1)
        ON CONFLICT (account_id, status, location_id, slot)
        DO UPDATE SET n = server_counts.n + 1, changes = server_counts.changes + 1;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE server_counts SET n = n - 1, changes = changes + 1 WHERE account_id = OLD.account_id
            AND status = OLD.status AND location_id = OLD.location_id AND slot = OLD.id % 8;
        RETURN NULL;
    END IF;
    IF NEW.status > OLD.status THEN
        UPDATE server_counts SET n = n - 1, changes = changes + 1 WHERE account_id = OLD.account_id
            AND status = OLD.status AND location_id = OLD.location_id AND slot = OLD.id % 8;
    END IF;
    INSERT INTO server_counts (account_id, status, location_id, slot, n, changes)
    VALUES (NEW.account_id, NEW.status, NEW.location_id, NEW.id % 8, 1, 1)
    ON CONFLICT (account_id, status, location_id, slot)
    DO UPDATE SET n = server_counts.n + 1, changes = server_counts.changes + 1;
    IF NEW.status <= OLD.status THEN
        UPDATE server_counts SET n = n - 1, changes = changes + 1 WHERE account_id = OLD.account_id
            AND status = OLD.status AND location_id = OLD.location_id AND slot = OLD.id % 8;
    END IF;
    RETURN NULL;
END $$;

-- A change that stays in its counter row (same account, status and location) but changes a column
-- the list shows: one more change on that row. The list's columns are ServerSql.LISTED_LEAN's (the
-- address only once the server is provisioned, as the list shows it: a placement changes nothing there).
CREATE FUNCTION server_counts_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE server_counts SET changes = changes + 1 WHERE account_id = NEW.account_id
        AND status = NEW.status AND location_id = NEW.location_id AND slot = NEW.id % 8;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER servers_listed_change AFTER UPDATE ON servers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status = NEW.status AND OLD.location_id = NEW.location_id AND OLD.account_id = NEW.account_id
          AND (OLD.id, OLD.name, OLD.hostname, CASE WHEN OLD.provisioned_at IS NULL THEN NULL ELSE OLD.ipv4 END,
               OLD.plan_id, OLD.os_id, OLD.created_at, OLD.updated_at)
              IS DISTINCT FROM
              (NEW.id, NEW.name, NEW.hostname, CASE WHEN NEW.provisioned_at IS NULL THEN NULL ELSE NEW.ipv4 END,
               NEW.plan_id, NEW.os_id, NEW.created_at, NEW.updated_at))
    EXECUTE FUNCTION server_counts_touch();
