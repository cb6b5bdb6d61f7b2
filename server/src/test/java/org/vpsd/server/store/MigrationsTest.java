package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.testing.TestDatabase;

/**
 * A start on a database that holds exactly this build's migrations skips Flyway; every other history
 * still goes to Flyway, which migrates or refuses as before. Runs on H2 and on PostgreSQL (whose
 * build ships more migrations).
 */
class MigrationsTest {
    @TempDir
    Path dir;
    private TestDatabase testDatabase;
    private Database database;

    @BeforeEach
    void open() {
        testDatabase = TestDatabase.create(dir);
        database = Database.open(url(), 2, "migrations-test");
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
        testDatabase.drop();
    }

    private String url() {
        return testDatabase.url() != null ? testDatabase.url() : Database.h2Url(dir);
    }

    @Test
    void aDatabaseMigratedByFlywayIsCurrentWithFlywaysOwnChecksums() throws Exception {
        var shipped = Migrations.shipped(database.kind());
        assertThat(shipped).extracting(Migrations.Migration::version).contains("1", "4");
        if (database.kind() == Database.Kind.POSTGRESQL) {
            assertThat(shipped).extracting(Migrations.Migration::version).contains("2", "3", "5", "6");
        }
        // What Flyway recorded, checksums included, is what this build computes for its files.
        assertThat(Migrations.applied(database.dataSource())).isEqualTo(shipped);
        assertThat(Migrations.current(database.dataSource(), database.kind())).isTrue();

        database.close();
        database = Database.open(url(), 2, "migrations-test-reopened");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isTrue();
    }

    @Test
    void aChangedChecksumGoesToFlywayWhichRefusesAsItAlwaysDid() {
        sql("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isFalse();
        database.close();
        database = null;
        assertThatThrownBy(() -> Database.open(url(), 2, "migrations-test-changed"))
                .isInstanceOf(FlywayException.class).hasMessageContaining("checksum");
    }

    @Test
    void aMigrationUnknownToThisBuildGoesToFlywayWhichRefusesIt() {
        sql("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, "
                + "execution_time, success) VALUES (99, '99', 'from a newer build', 'SQL', 'V99__from_a_newer_build.sql', 7, 'x', 1, TRUE)");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isFalse();
    }

    @Test
    void aFailedOrMissingMigrationIsNotCurrent() {
        sql("UPDATE flyway_schema_history SET success = FALSE WHERE version = '4'");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isFalse();
        sql("DELETE FROM flyway_schema_history WHERE version = '4'");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isFalse();
    }

    @Test
    void aDatabaseWithoutHistoryIsNotCurrent() {
        sql("DROP TABLE flyway_schema_history");
        assertThat(Migrations.current(database.dataSource(), database.kind())).isFalse();
    }

    @Test
    void checksumsAreFlywaysWhateverTheLineBreaksAndByteOrderMark() throws Exception {
        int unix = Migrations.checksum(in("CREATE TABLE a (id INT);\nCREATE INDEX b ON a (id);\n"));
        assertThat(Migrations.checksum(in("CREATE TABLE a (id INT);\r\nCREATE INDEX b ON a (id);\r\n"))).isEqualTo(unix);
        assertThat(Migrations.checksum(in("\uFEFFCREATE TABLE a (id INT);\nCREATE INDEX b ON a (id);"))).isEqualTo(unix);
        assertThat(Migrations.checksum(in("CREATE TABLE a (id BIGINT);\nCREATE INDEX b ON a (id);\n"))).isNotEqualTo(unix);
    }

    private static ByteArrayInputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private void sql(String statement) {
        database.jdbi().useHandle(h -> h.execute(statement));
    }
}
