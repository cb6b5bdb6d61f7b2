package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RowsColumnsTest {
    private static final String SELECT = """
            SELECT s.id, s.name,
                   l.code AS location_code, p.vcpus   AS  p_vcpus,
                   u.collected_at AS u_at
              FROM servers s JOIN locations l ON l.id = s.location_id
            """;

    @Test
    void positionsFollowTheSelectList() {
        Rows.Columns c = Rows.Columns.of(SELECT);
        assertThat(c.at("id")).isEqualTo(1);
        assertThat(c.at("name")).isEqualTo(2);
        assertThat(c.at("location_code")).isEqualTo(3);
        assertThat(c.at("p_vcpus")).isEqualTo(4);
        assertThat(c.at("u_at")).isEqualTo(5);
    }

    @Test
    void unknownOrAmbiguousNamesFail() {
        Rows.Columns c = Rows.Columns.of(SELECT);
        assertThatThrownBy(() -> c.at("code")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Rows.Columns.of("SELECT a.id, b.id FROM a, b").at("id"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Rows.Columns.of("UPDATE servers SET x = 1")).isInstanceOf(IllegalArgumentException.class);
    }
}
