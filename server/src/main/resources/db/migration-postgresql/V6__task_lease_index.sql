-- PostgreSQL only. The index on server_tasks.lease_owner serves H2's claim, which reads the rows it
-- has just leased by owner; PostgreSQL's claim returns them from its UPDATE, and its other lease
-- statements find tasks by primary key (or, at shutdown, scan the table of pending work). Without
-- the index, a claim or a release, which change only the lease columns, can update the row in place
-- (a heap-only tuple) instead of adding an entry to each of the table's indexes.
DROP INDEX server_tasks_lease;
