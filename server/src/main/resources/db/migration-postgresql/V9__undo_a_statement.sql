-- PostgreSQL only. A statement that does several things at once and must do all or none of them ends by
-- calling this when one part found nothing to do (provisioning's placement with its step's progress,
-- store/AddressSql): the error undoes everything the statement did, which in autocommit is its own
-- transaction, so one round trip both writes and commits. The reason comes back in the error's message,
-- under an SQLSTATE of vpsd's own that the caller recognises (Sql.UNDONE).
CREATE FUNCTION vpsd_undo(reason TEXT) RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'vpsd: %', reason USING ERRCODE = 'VP001';
END $$;
