-- PostgreSQL only: a number that changes in the same transaction as any change to plans, os_images
-- or locations (statement triggers, which fire for vpsd's own writes and for a provider's
-- hand-written SQL alike). vpsd keeps those three small tables in memory and reads this one row
-- with each server instead of joining them: a read whose number differs from the one in memory loads
-- the catalog again and is made again, so no answer shows a catalog older than the server row beside
-- it (store/CatalogCache). The three joins cost PostgreSQL about a quarter of a server's detail and
-- most of a page of 50; H2, in-process, keeps the joins.
CREATE TABLE catalog_version (
    id       INT    PRIMARY KEY,
    version  BIGINT NOT NULL
);

INSERT INTO catalog_version (id, version) VALUES (1, 1);

CREATE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER plans_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER os_images_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON os_images
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER locations_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
