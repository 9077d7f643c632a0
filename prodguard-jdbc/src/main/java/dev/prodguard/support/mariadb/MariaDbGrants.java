package dev.prodguard.support.mariadb;

import dev.prodguard.support.SchemaGrants;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@link SchemaGrants} from {@code SHOW GRANTS}: first as the account connected (its own grants and
 * those of an active default role), then once per role granted to it after {@code SET ROLE}, which
 * MariaDB answers with that role's grants and those of the roles nested in it ({@code
 * information_schema.*_PRIVILEGES} leave roles out). A database-level grant counts when its name
 * pattern ({@code %}, {@code _}, backslash escapes) matches the connected database. On MySQL, whose
 * {@code SHOW GRANTS} does not expand roles that way, every role granted counts as able.
 */
final class MariaDbGrants implements SchemaGrants {
  static final MariaDbGrants INSTANCE = new MariaDbGrants();

  /** Privileges that create, alter or drop objects (TRUNCATE needs DROP here). */
  private static final Set<String> SCHEMA_CHANGING =
      Set.of(
          "ALL",
          "ALL PRIVILEGES",
          "CREATE",
          "DROP",
          "ALTER",
          "INDEX",
          "CREATE VIEW",
          "TRIGGER",
          "CREATE ROUTINE",
          "ALTER ROUTINE",
          "EVENT");

  /** Privileges that write rows (with ALL, counted among the schema-changing ones too). */
  private static final Set<String> WRITING =
      Set.of("ALL", "ALL PRIVILEGES", "INSERT", "UPDATE", "DELETE");

  /**
   * Global privileges that neither change a schema nor let the account act as another account or
   * change privileges: judged one by one against MariaDB's privilege list (10.5+ split SUPER into
   * the admin privileges here). Every other global privilege counts as schema-changing (fail
   * closed), e.g. CREATE USER, SUPER, SET USER, BINLOG REPLAY, REPLICATION SLAVE ADMIN, FILE, and
   * MySQL 8's dynamic privileges (SET_USER_ID, ROLE_ADMIN, ...). Writes on {@code *.*} count
   * through the grant tables ({@link #READ_ONLY_ON_GRANT_TABLES}); schema privileges as before.
   */
  private static final Set<String> HARMLESS_GLOBAL =
      Set.of(
          "USAGE",
          "SELECT",
          "EXECUTE",
          "SHOW VIEW",
          "SHOW DATABASES",
          "SHOW CREATE ROUTINE",
          "PROCESS",
          "RELOAD",
          "SHUTDOWN",
          "LOCK TABLES",
          "CREATE TEMPORARY TABLES",
          "CREATE TABLESPACE",
          "DELETE HISTORY",
          "REPLICATION CLIENT",
          "BINLOG MONITOR",
          "REPLICATION SLAVE",
          "SLAVE MONITOR",
          "REPLICA MONITOR",
          "REPLICATION MASTER ADMIN",
          "BINLOG ADMIN",
          "CONNECTION ADMIN",
          "READ_ONLY ADMIN",
          "FEDERATED ADMIN",
          "INSERT",
          "UPDATE",
          "DELETE");

  /**
   * What an account may hold on the {@code mysql} database (the grant tables) without being able to
   * change privileges: anything else there writes {@code mysql.user}, {@code mysql.db}, ..., and
   * with {@code FLUSH PRIVILEGES} (or the next restart) the account gives itself any privilege.
   */
  private static final Set<String> READ_ONLY_ON_GRANT_TABLES =
      Set.of("USAGE", "SELECT", "SHOW VIEW", "EXECUTE");

  /** Why a global privilege outside {@link #HARMLESS_GLOBAL} counts; the rest: fail closed. */
  private static final java.util.Map<String, String> WHY_GLOBAL =
      java.util.Map.of(
          "CREATE USER",
          "may change any account's password or grants (ALTER USER the deploy account) and create"
              + " accounts",
          "SUPER",
          "may create a routine, view, trigger or event with any account as DEFINER (root's) and"
              + " run it with that account's privileges",
          "SET USER",
          "may create a routine, view, trigger or event with any account as DEFINER (root's) and"
              + " run it with that account's privileges",
          "SET_USER_ID",
          "may create a routine, view, trigger or event with any account as DEFINER and run it"
              + " with that account's privileges",
          "ROLE_ADMIN",
          "may grant itself any role",
          "BINLOG REPLAY",
          "may replay binary log events (BINLOG), which write any table, the grant tables included",
          "REPLICATION SLAVE ADMIN",
          "may point replication at a server of its choosing (CHANGE MASTER TO), whose DDL the"
              + " replica applies unchecked",
          "FILE",
          "may write files on the server (SELECT ... INTO OUTFILE), a trigger's definition file"
              + " in the data directory among them");

  private MariaDbGrants() {}

  /**
   * The entries of one parsed {@code SHOW GRANTS} line that let the account change the schema of
   * {@code database}, directly or by becoming another account or changing privileges, each naming
   * its privileges, target and (for the latter) why: {@code ALTER, DROP ON `shop`.*}, {@code CREATE
   * USER ON *.*: may change any account's password ...}, {@code UPDATE ON `mysql`.`db`: writes the
   * grant tables ...}. Empty when the line gives none of that.
   */
  static List<String> schemaChanging(Grant g, String database) {
    List<String> out = new ArrayList<>();
    if (g.privileges.contains("PROXY")) {
      out.add(
          "PROXY ON "
              + g.shownTarget()
              + ": may log in as that account (a proxy user gets its privileges)");
      return out;
    }
    List<String> schema = g.privileges.stream().filter(SCHEMA_CHANGING::contains).toList();
    boolean schemaHere = !schema.isEmpty() && g.reaches(database);
    if (schemaHere) {
      out.add(String.join(", ", schema) + " ON " + g.shownTarget());
    }
    if (g.isGlobal()) {
      for (String p : g.privileges) {
        if (!HARMLESS_GLOBAL.contains(p) && !SCHEMA_CHANGING.contains(p)) {
          out.add(
              p
                  + " ON *.*: "
                  + WHY_GLOBAL.getOrDefault(
                      p,
                      "an administrative privilege prodguard does not judge harmless (fail"
                          + " closed)"));
        }
      }
    }
    List<String> grantTables =
        g.privileges.stream()
            .filter(p -> !READ_ONLY_ON_GRANT_TABLES.contains(p))
            .filter(p -> !(schemaHere && schema.contains(p)))
            // on *.* the rest is named above, server-wide privileges (RELOAD) write no table
            .filter(p -> !g.isGlobal() || WRITING.contains(p))
            .toList();
    if (!grantTables.isEmpty() && g.reaches("mysql")) {
      out.add(
          String.join(", ", grantTables)
              + " ON "
              + g.shownTarget()
              + ": writes the server's grant tables (mysql.*), so the account may give itself"
              + " any privilege (FLUSH PRIVILEGES)");
    }
    if (g.grantOption()
        && g.privileges.stream().anyMatch(p -> !p.equals("USAGE"))
        && (g.isGlobal() || g.reaches(database) || g.reaches("mysql"))) {
      out.add(
          "GRANT OPTION ON "
              + g.shownTarget()
              + ": may pass "
              + String.join(", ", g.privileges)
              + " on to other accounts");
    }
    return out;
  }

  /** The session's account as the server authenticated it, its database, and the server kind. */
  private record Session(String account, String database, boolean mariaDb) {}

  private static Session session(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CURRENT_USER(), DATABASE(), VERSION()")) {
      rs.next();
      return new Session(
          rs.getString(1),
          rs.getString(2),
          rs.getString(3).toLowerCase(Locale.ROOT).contains("mariadb"));
    }
  }

  private static Set<String> lowerCased(java.util.Collection<String> tables) {
    Set<String> out = new java.util.HashSet<>();
    for (String t : tables) {
      out.add(t.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  @Override
  public Found read(Connection c, java.util.Collection<String> guardedTables) throws SQLException {
    Set<String> guarded = lowerCased(guardedTables);
    Session session = session(c);
    String account = session.account();
    String database = session.database();
    boolean mariaDb = session.mariaDb();
    String shownAccount = shownAccount(account);
    Set<String> found = new LinkedHashSet<>();
    Set<String> writes = new LinkedHashSet<>();
    List<String> direct = showGrants(c, database, account, "", guarded, found, writes);
    if (!mariaDb) {
      // MySQL's SHOW GRANTS leaves a role's privileges out unless named with USING; prodguard
      // reads roles the MariaDB way only, so on MySQL a role counts as able (fail closed).
      for (String r : direct) {
        found.add("role " + r + ": its grants are not read on MySQL");
        writes.add("role " + r + ": its grants are not read on MySQL");
      }
      return new Found(shownAccount, new ArrayList<>(found), new ArrayList<>(writes));
    }
    String role;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CURRENT_ROLE()")) {
      rs.next();
      role = rs.getString(1);
    }
    try {
      for (String r : direct) {
        try (Statement st = c.createStatement()) {
          st.execute("SET ROLE " + MariaDbSupport.INSTANCE.quote(r));
        } catch (SQLException e) {
          found.add("role " + r + ": its grants cannot be read (" + e.getMessage() + ")");
          writes.add("role " + r + ": its grants cannot be read (" + e.getMessage() + ")");
          continue;
        }
        showGrants(c, database, account, " (via role " + r + ")", guarded, found, writes);
      }
    } finally {
      try (Statement st = c.createStatement()) {
        st.execute(
            role == null ? "SET ROLE NONE" : "SET ROLE " + MariaDbSupport.INSTANCE.quote(role));
      }
    }
    return new Found(shownAccount, new ArrayList<>(found), new ArrayList<>(writes));
  }

  /**
   * {@link SchemaGrants#namesakes}: the accounts listed from {@code mysql.user}, their grants from
   * {@code SHOW GRANTS FOR} (which on MariaDB shows a role's nested roles too); both need {@code
   * SELECT} on the {@code mysql} database. On MySQL a role counts as able, as in {@link #read}.
   */
  @Override
  public List<Found> namesakes(
      Connection reader, String account, java.util.Collection<String> guardedTables)
      throws SQLException {
    int at = account.lastIndexOf("'@'");
    if (!account.startsWith("'") || !account.endsWith("'") || at < 1) {
      throw new IllegalArgumentException("not an account as Found shows it: " + account);
    }
    String user = account.substring(1, at);
    String host = account.substring(at + 3, account.length() - 1);
    Set<String> guarded = lowerCased(guardedTables);
    Session session = session(reader);
    String readerAccount = session.account();
    String database = session.database();
    boolean mariaDb = session.mariaDb();
    String grant = "GRANT SELECT ON mysql.* TO " + shownAccount(readerAccount);
    List<String> hosts = new ArrayList<>();
    try (java.sql.PreparedStatement ps =
        reader.prepareStatement(
            "SELECT Host FROM mysql.user WHERE User = ? AND Host <> ?"
                + (mariaDb ? " AND is_role <> 'Y'" : "")
                + " ORDER BY Host")) {
      ps.setString(1, user);
      ps.setString(2, host);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hosts.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new Unreadable(grant, e);
    }
    List<Found> out = new ArrayList<>();
    for (String h : hosts) {
      Set<String> found = new LinkedHashSet<>();
      Set<String> writes = new LinkedHashSet<>();
      List<String> pending;
      try {
        pending =
            showGrants(
                reader,
                "SHOW GRANTS FOR " + literal(user) + "@" + literal(h),
                database,
                user + "@" + h,
                "",
                guarded,
                found,
                writes);
        Set<String> seen = new LinkedHashSet<>();
        while (!pending.isEmpty()) {
          String r = pending.remove(0);
          if (!seen.add(r)) {
            continue;
          }
          if (!mariaDb) {
            found.add("role " + r + ": its grants are not read on MySQL");
            writes.add("role " + r + ": its grants are not read on MySQL");
            continue;
          }
          pending.addAll(
              showGrants(
                  reader,
                  "SHOW GRANTS FOR " + MariaDbSupport.INSTANCE.quote(r),
                  database,
                  r,
                  " (via role " + r + ")",
                  guarded,
                  found,
                  writes));
        }
      } catch (SQLException e) {
        throw new Unreadable(grant, e);
      }
      out.add(
          new Found(shownAccount(user + "@" + h), new ArrayList<>(found), new ArrayList<>(writes)));
    }
    return out;
  }

  /** A string literal for an account part: {@code 'app'}. */
  private static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private static List<String> showGrants(
      Connection c,
      String database,
      String account,
      String via,
      Set<String> guarded,
      Set<String> found,
      Set<String> writes)
      throws SQLException {
    return showGrants(c, "SHOW GRANTS", database, account, via, guarded, found, writes);
  }

  /**
   * Adds the schema-changing grants and those that write a guarded table that {@code query} (a
   * {@code SHOW GRANTS}) shows; returns the roles granted to {@code account}.
   */
  private static List<String> showGrants(
      Connection c,
      String query,
      String database,
      String account,
      String via,
      Set<String> guarded,
      Set<String> found,
      Set<String> writes)
      throws SQLException {
    List<String> roles = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        Grant g = Grant.parse(rs.getString(1));
        if (g == null) {
          continue;
        }
        if (g.target == null) {
          if (unquote(g.grantee).equals(account)) {
            roles.addAll(g.privileges);
          }
          continue;
        }
        for (String s : schemaChanging(g, database)) {
          found.add(s + via);
        }
        List<String> write = g.privileges.stream().filter(WRITING::contains).toList();
        if (!write.isEmpty() && g.reachesTableOf(database, guarded)) {
          writes.add(String.join(", ", write) + " ON " + g.shownTarget() + via);
        }
      }
    }
    return roles;
  }

  /** {@code app@%} as MySQL prints accounts: {@code 'app'@'%'}. */
  private static String shownAccount(String account) {
    int at = account.lastIndexOf('@');
    return at < 0
        ? "'" + account + "'"
        : "'" + account.substring(0, at) + "'@'" + account.substring(at + 1) + "'";
  }

  /** {@code `app`@`%`} or {@code 'app'@'%'} as {@code app@%}. */
  private static String unquote(String s) {
    StringBuilder out = new StringBuilder();
    for (Ident part : identifiers(s.strip(), '@')) {
      if (out.length() > 0) {
        out.append('@');
      }
      out.append(part.text);
    }
    return out.toString();
  }

  /**
   * One line of {@code SHOW GRANTS}: privileges ON target TO grantee, or (target null) roles TO
   * grantee. Lines that are neither (SET DEFAULT ROLE) are null.
   */
  record Grant(
      List<String> privileges,
      String objectType,
      List<Ident> target,
      String grantee,
      boolean grantOption) {

    static Grant parse(String line) {
      if (line == null || !line.regionMatches(true, 0, "GRANT ", 0, 6)) {
        return null;
      }
      String rest = line.substring(6);
      int to = topLevel(rest, " TO ");
      if (to < 0) {
        return null;
      }
      String grantee = rest.substring(to + 4);
      int with = topLevel(grantee, " WITH ");
      boolean grantOption = false;
      if (with >= 0) {
        grantOption = topLevel(grantee.substring(with), " GRANT OPTION") >= 0;
        grantee = grantee.substring(0, with);
      }
      int idBy = topLevel(grantee, " IDENTIFIED ");
      if (idBy >= 0) {
        grantee = grantee.substring(0, idBy);
      }
      String head = rest.substring(0, to);
      int on = topLevel(head, " ON ");
      if (on < 0) {
        List<String> roles = new ArrayList<>();
        for (String r : split(head)) {
          roles.add(unquote(r));
        }
        return new Grant(roles, null, null, grantee, false);
      }
      List<String> privileges = new ArrayList<>();
      for (String p : split(head.substring(0, on))) {
        int paren = p.indexOf('(');
        String name = (paren < 0 ? p : p.substring(0, paren)).strip();
        privileges.add(name.toUpperCase(Locale.ROOT).replaceAll("\\s+", " "));
      }
      String object = head.substring(on + 4).strip();
      String type = "";
      for (String t : List.of("PACKAGE BODY ", "PROCEDURE ", "FUNCTION ", "PACKAGE ", "TABLE ")) {
        if (object.regionMatches(true, 0, t, 0, t.length())) {
          type = t.strip().toUpperCase(Locale.ROOT);
          object = object.substring(t.length()).strip();
          break;
        }
      }
      return new Grant(privileges, type, identifiers(object, '.'), grantee, grantOption);
    }

    /** Whether the grant is server-wide: {@code ON *.*} (or {@code ON *} alone). */
    boolean isGlobal() {
      return target != null
          && objectType.isEmpty()
          && target.get(0).star
          && (target.size() == 1 || target.get(1).star);
    }

    /** Whether the grant reaches the schema of {@code database}. */
    boolean reaches(String database) {
      if (privileges.contains("PROXY")) {
        return false;
      }
      if (target.size() == 1) {
        return target.get(0).star; // "*" alone: global in MySQL's output
      }
      Ident db = target.get(0);
      if (db.star) {
        return true; // *.*
      }
      if (database == null) {
        return false;
      }
      boolean databaseLevel = target.get(1).star && objectType.isEmpty();
      return databaseLevel ? like(db.text, database) : db.text.equalsIgnoreCase(database);
    }

    /**
     * Whether the grant reaches one of {@code tables} (lower case) of {@code database}: global and
     * database-level grants reach every table, table-level ones their own; routines none.
     */
    boolean reachesTableOf(String database, Set<String> tables) {
      if (!reaches(database)) {
        return false;
      }
      if (!objectType.isEmpty() && !objectType.equals("TABLE")) {
        return false;
      }
      if (target.size() < 2 || target.get(0).star || target.get(1).star) {
        return true;
      }
      return tables.contains(target.get(1).text.toLowerCase(Locale.ROOT));
    }

    String shownTarget() {
      StringBuilder sb = new StringBuilder(objectType.isEmpty() ? "" : objectType + " ");
      for (int i = 0; i < target.size(); i++) {
        if (i > 0) {
          sb.append('.');
        }
        Ident id = target.get(i);
        sb.append(id.star ? "*" : "`" + id.text.replace("`", "``") + "`");
      }
      return sb.toString();
    }
  }

  /** A name part: quoted or bare text, or {@code *}. */
  record Ident(String text, boolean star) {}

  /** Name parts separated by {@code sep} outside quotes: {@code `a`.`b`}, {@code 'u'@'h'}. */
  static List<Ident> identifiers(String s, char sep) {
    List<Ident> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quotedPart = false;
    int i = 0;
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (ch == '`' || ch == '\'' || ch == '"') {
        int j = i + 1;
        while (j < s.length()) {
          if (s.charAt(j) == ch) {
            if (j + 1 < s.length() && s.charAt(j + 1) == ch) {
              cur.append(ch);
              j += 2;
              continue;
            }
            break;
          }
          cur.append(s.charAt(j));
          j++;
        }
        quotedPart = true;
        i = j + 1;
      } else if (ch == sep) {
        out.add(new Ident(cur.toString(), !quotedPart && cur.toString().equals("*")));
        cur.setLength(0);
        quotedPart = false;
        i++;
      } else {
        cur.append(ch);
        i++;
      }
    }
    out.add(new Ident(cur.toString(), !quotedPart && cur.toString().equals("*")));
    return out;
  }

  /** The index of {@code word} outside quotes and parentheses, or -1. */
  private static int topLevel(String s, String word) {
    int depth = 0;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
        continue;
      }
      if (ch == '`' || ch == '\'' || ch == '"') {
        quote = ch;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (depth == 0 && s.regionMatches(true, i, word, 0, word.length())) {
        return i;
      }
    }
    return -1;
  }

  /** Splits at top-level commas. */
  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
        continue;
      }
      if (ch == '`' || ch == '\'' || ch == '"') {
        quote = ch;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        out.add(s.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(s.substring(start).strip());
    return out;
  }

  /**
   * MySQL's database-name pattern in grants: {@code %} and {@code _} wildcards, {@code \} escapes.
   */
  static boolean like(String pattern, String name) {
    // Case-insensitive: whether names are depends on the server (lower_case_table_names); a
    // pattern that might match counts (fail closed).
    String p = pattern.toLowerCase(Locale.ROOT);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char ch = p.charAt(i);
      if (ch == '\\' && i + 1 < p.length()) {
        re.append(java.util.regex.Pattern.quote(String.valueOf(p.charAt(++i))));
      } else if (ch == '%') {
        re.append(".*");
      } else if (ch == '_') {
        re.append('.');
      } else {
        re.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
      }
    }
    return name.toLowerCase(Locale.ROOT).matches(re.toString());
  }
}
