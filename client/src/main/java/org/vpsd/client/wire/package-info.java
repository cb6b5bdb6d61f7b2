/**
 * The JSON shapes of the VPS.org Servers API, exactly as the reference pages show them.
 *
 * <p>Each record serialises its components in declaration order, with snake_case names, and
 * keeps {@code null} values (the documentation shows {@code "ip_address": null}). Timestamps are
 * UTC instants truncated to whole seconds, written as {@code 2025-01-10T14:30:00Z}.
 */
package org.vpsd.client.wire;
