package org.vpsd.server.domain;

/** Who a bearer token speaks for: one customer account, or the provider (an admin token). */
public record Principal(long tokenId, Long accountId) {
    public boolean admin() {
        return accountId == null;
    }
}
