package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Instant;

/** A customer account with its prepaid balance; {@code suspended} while its credit is exhausted. */
public record Account(long id, String name, BigDecimal balance, boolean suspended, Instant createdAt) {}
