package dev.prodguard.support.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.support.DumpContents;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** G9: the database_metadata row and the tables of a mariadb-dump stream, read as it streams. */
@DisplayName("G9: what a MariaDB dump holds, read while it is written")
class G9DumpContentsTest {
  private static final String HEAD =
      "-- MariaDB dump\n"
          + "CREATE TABLE `database_metadata` (\n"
          + "  `id` int(11) NOT NULL,\n"
          + "  `environment` varchar(64) NOT NULL,\n"
          + "  `fingerprint` varchar(128) NOT NULL,\n"
          + "  `created_by` varchar(255) DEFAULT NULL,\n"
          + "  PRIMARY KEY (`id`)\n"
          + ") ENGINE=InnoDB;\n"
          + "CREATE TABLE `odd``name` (\n  `id` int\n);\n";

  private static DumpContents read(String dump, int chunk) {
    MariaDbDumpContents r = new MariaDbDumpContents();
    byte[] b = dump.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      r.accept(b, i, Math.min(chunk, b.length - i));
    }
    return r.contents();
  }

  @Test
  @DisplayName("rows on the INSERT line (mysqldump, older mariadb-dump) and on the next (11.x)")
  void bothInsertLayouts() {
    String row = "(1,'prod','prod-4f1c','o\\'brien@host')";
    for (String insert :
        new String[] {
          "INSERT INTO `database_metadata` VALUES " + row + ";\n",
          "INSERT INTO `database_metadata` VALUES\n" + row + ";\n"
        }) {
      for (int chunk : new int[] {1, 7, 1 << 20}) {
        DumpContents c = read(HEAD + insert + "-- Dump completed\n", chunk);
        assertThat(c.tables()).containsExactlyInAnyOrder("database_metadata", "odd`name");
        assertThat(c.metadata())
            .contains(
                Map.of(
                    "id", "1",
                    "environment", "prod",
                    "fingerprint", "prod-4f1c",
                    "created_by", "o'brien@host"));
      }
    }
  }

  @Test
  @DisplayName("a dump without the row, and a huge data line, cost nothing and find nothing")
  void noRow() {
    String big = "INSERT INTO `other` VALUES (" + "9,".repeat(200_000) + "9);\n";
    DumpContents c = read(HEAD + big, 8192);
    assertThat(c.metadata()).isEmpty();
    assertThat(c.tables()).contains("database_metadata");
  }

  @Test
  @DisplayName("NULL and doubled quotes in the tuple")
  void tupleValues() {
    assertThat(MariaDbDumpContents.firstTuple("(1,NULL,'a''b',0x41)"))
        .containsExactly("1", null, "a'b", "0x41");
    assertThat(MariaDbDumpContents.firstTuple("(1,'unterminated")).isNull();
  }
}
