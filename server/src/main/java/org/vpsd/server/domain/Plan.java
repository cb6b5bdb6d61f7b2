package org.vpsd.server.domain;

import java.math.BigDecimal;

/**
 * A size of server the provider sells: memory in MB, storage and bandwidth (per month) in GB, and
 * the price of one billing period (an hour). A plan that is not {@code available} keeps its
 * servers but takes no new ones.
 */
public record Plan(
        long id,
        String name,
        int vcpus,
        int memoryMb,
        int storageGb,
        int bandwidthGb,
        BigDecimal hourlyPrice,
        boolean available) {}
