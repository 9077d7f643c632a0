package dev.prodguard.support.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G6's role split on MySQL/MariaDB judges each {@code SHOW GRANTS} line: a privilege that lets the
 * url's account become another account or change privileges is as good as a schema privilege. Lines
 * as MariaDB 10.11 prints them.
 */
@DisplayName("G6 role split: account-admin privileges count as schema-changing")
class G6AccountAdminGrantsTest {

  private static List<String> judge(String line) {
    return MariaDbGrants.schemaChanging(MariaDbGrants.Grant.parse(line), "shop");
  }

  @Test
  @DisplayName("G6: CREATE USER, SUPER, SET USER and the other takeover privileges on *.* count")
  void globalTakeoverPrivileges() {
    List<String> found =
        judge(
            "GRANT FILE, SUPER, CREATE USER, SET USER, FEDERATED ADMIN, CONNECTION ADMIN,"
                + " READ_ONLY ADMIN, REPLICATION SLAVE ADMIN, BINLOG REPLAY ON *.* TO"
                + " `app`@`%` IDENTIFIED BY PASSWORD '*BE10537D9C86F8E573B2498A37B1FCD9C06AB8DE'");
    assertThat(found)
        .anyMatch(f -> f.startsWith("CREATE USER ON *.*: may change any account's password"))
        .anyMatch(f -> f.startsWith("SUPER ON *.*: may create a routine") && f.contains("DEFINER"))
        .anyMatch(f -> f.startsWith("SET USER ON *.*: ") && f.contains("DEFINER"))
        .anyMatch(f -> f.startsWith("BINLOG REPLAY ON *.*: "))
        .anyMatch(f -> f.startsWith("REPLICATION SLAVE ADMIN ON *.*: "))
        .anyMatch(f -> f.startsWith("FILE ON *.*: "))
        .noneMatch(f -> f.contains("FEDERATED ADMIN") || f.contains("CONNECTION ADMIN"))
        .noneMatch(f -> f.contains("READ_ONLY ADMIN") || f.contains("PASSWORD"))
        .hasSize(6);
  }

  @Test
  @DisplayName("G6: an unknown global privilege counts (fail closed); harmless ones do not")
  void unknownGlobalPrivilegeFailsClosed() {
    assertThat(judge("GRANT ROLE_ADMIN ON *.* TO `app`@`%`"))
        .singleElement()
        .asString()
        .startsWith("ROLE_ADMIN ON *.*: may grant itself any role");
    assertThat(judge("GRANT SOME FUTURE ADMIN ON *.* TO `app`@`%`"))
        .singleElement()
        .asString()
        .contains("does not judge harmless (fail closed)");
    assertThat(
            judge(
                "GRANT SELECT, RELOAD, PROCESS, SHOW DATABASES, REPLICATION CLIENT, BINLOG MONITOR"
                    + " ON *.* TO `app`@`%`"))
        .isEmpty();
    assertThat(judge("GRANT SELECT, EXECUTE ON `shop`.* TO `app`@`%`")).isEmpty();
  }

  @Test
  @DisplayName("G6: any write or schema privilege on the grant tables (mysql.*) counts")
  void grantTables() {
    assertThat(judge("GRANT SELECT, UPDATE ON `mysql`.`db` TO `app`@`%`"))
        .singleElement()
        .asString()
        .startsWith("UPDATE ON `mysql`.`db`: writes the server's grant tables");
    assertThat(judge("GRANT INSERT ON `my%`.* TO `app`@`%`"))
        .singleElement()
        .asString()
        .startsWith("INSERT ON `my%`.*: writes the server's grant tables");
    assertThat(judge("GRANT DROP ON `mysql`.* TO `app`@`%`"))
        .singleElement()
        .asString()
        .startsWith("DROP ON `mysql`.*: writes");
    assertThat(judge("GRANT INSERT, UPDATE, DELETE ON *.* TO `app`@`%`"))
        .singleElement()
        .asString()
        .startsWith("INSERT, UPDATE, DELETE ON *.*: writes the server's grant tables");
    assertThat(judge("GRANT SELECT ON `mysql`.* TO `app`@`%`")).isEmpty();
    assertThat(judge("GRANT INSERT, UPDATE ON `shop`.`items` TO `app`@`%`")).isEmpty();
  }

  @Test
  @DisplayName("G6: GRANT OPTION on the database, the grant tables or *.* and PROXY count")
  void grantOptionAndProxy() {
    assertThat(judge("GRANT SELECT ON `shop`.* TO `app`@`%` WITH GRANT OPTION"))
        .singleElement()
        .asString()
        .isEqualTo("GRANT OPTION ON `shop`.*: may pass SELECT on to other accounts");
    assertThat(judge("GRANT SELECT ON `other`.* TO `app`@`%` WITH GRANT OPTION")).isEmpty();
    assertThat(judge("GRANT USAGE ON *.* TO `app`@`%` WITH GRANT OPTION")).isEmpty();
    assertThat(judge("GRANT PROXY ON 'deploy'@'%' TO 'app'@'%'"))
        .singleElement()
        .asString()
        .startsWith("PROXY ON ")
        .contains("may log in as that account");
    // a schema privilege stays one entry, as before
    assertThat(judge("GRANT CREATE ON *.* TO `app`@`%`")).containsExactly("CREATE ON *.*");
  }
}
