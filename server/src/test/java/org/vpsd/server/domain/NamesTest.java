package org.vpsd.server.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"web-server-01", "a", "A1", "x-y-z", "123", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"})
    void validNames(String name) {
        assertThat(Names.serverNameProblem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-web", "web-", "web server", "web_server", "wéb", "web.server",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"})
    void invalidNames(String name) {
        assertThat(Names.serverNameProblem(name)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web01.example.com", "a.b", "web-updated.example.com", "x.example.com.", "1a.example.org"})
    void validHostnames(String hostname) {
        assertThat(Names.hostnameProblem(hostname)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "web01", "-a.example.com", "a-.example.com", "a..b", ".example.com", "a.b.123", "under_score.example.com",
        "space here.example.com"})
    void invalidHostnames(String hostname) {
        assertThat(Names.hostnameProblem(hostname)).isNotNull();
    }
}
