package org.vpsd.client.wire;

import java.math.BigDecimal;

/** An item of {@code GET /api/v1/plans/}. Prices are in the provider's currency. */
public record Plan(
        long id,
        String name,
        int vcpus,
        int memory,
        int storage,
        int bandwidth,
        BigDecimal priceHourly,
        BigDecimal priceMonthly) {}
