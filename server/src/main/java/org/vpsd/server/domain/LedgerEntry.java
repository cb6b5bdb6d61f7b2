package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One movement of an account's balance: a credit the provider added (positive) or the charge of
 * one billing period of one server (negative). {@code period} counts from 0, the server's first
 * hour, charged when it was created.
 */
public record LedgerEntry(
        long id,
        long accountId,
        Long serverId,
        String kind,
        Integer period,
        BigDecimal amount,
        BigDecimal balanceAfter,
        Instant createdAt,
        String note) {}
