-- PostgreSQL only. A server's change of status (or location, or account) moves it between two
-- counters of server_counts (V3) in one statement instead of two: the old counter's row taken one
-- down and the new one's up (made if missing), in the order of their status as before, so that two
-- transactions never hold one each while waiting for the other. The two rows never share a key: the
-- trigger runs only when status, location or account differs. Every status change runs this at its
-- commit (bench/RESULTS.md, 2026-12-06). Creates and deletes are counted as before.
CREATE OR REPLACE FUNCTION server_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO server_counts (account_id, status, location_id, slot, n)
        VALUES (NEW.account_id, NEW.status, NEW.location_id, NEW.id % 8, 1)
        ON CONFLICT (account_id, status, location_id, slot) DO UPDATE SET n = server_counts.n + 1;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE server_counts SET n = n - 1 WHERE account_id = OLD.account_id AND status = OLD.status
            AND location_id = OLD.location_id AND slot = OLD.id % 8;
        RETURN NULL;
    END IF;
    INSERT INTO server_counts AS c (account_id, status, location_id, slot, n)
    SELECT * FROM (VALUES (OLD.account_id, OLD.status, OLD.location_id, CAST(OLD.id % 8 AS SMALLINT), CAST(-1 AS BIGINT)),
                          (NEW.account_id, NEW.status, NEW.location_id, CAST(NEW.id % 8 AS SMALLINT), CAST(1 AS BIGINT)))
                  AS moved (account_id, status, location_id, slot, n)
    ORDER BY status, location_id, account_id
    ON CONFLICT (account_id, status, location_id, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;
