package org.vpsd.client.wire;

import java.util.List;

/**
 * A list response: {@code count} is the total that matches, {@code next} and {@code previous}
 * are absolute URLs of the neighbouring pages or {@code null} at the ends.
 */
public record Page<T>(long count, String next, String previous, List<T> results) {}
