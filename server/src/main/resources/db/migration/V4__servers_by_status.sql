-- The provider's list filtered by status (all accounts) reads its page from this index in id order,
-- instead of walking every server in id order and skipping the other statuses (the whole fleet for a
-- status few servers are in). It replaces the index on status alone, which it covers.
CREATE INDEX servers_status_id ON servers (status, id);
DROP INDEX servers_status;
