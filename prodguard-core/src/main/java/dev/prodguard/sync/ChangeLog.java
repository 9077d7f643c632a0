package dev.prodguard.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.sync.Column;
import dev.prodguard.support.sync.SyncDialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * {@code prodguard_sync_change}: every changed row of an applied sync with its before- and
 * after-image, written in the sync's own transaction. Too many rows for one audit record, so the
 * audit record carries their count and SHA-256 instead; a revert recomputes both and refuses on any
 * difference.
 */
final class ChangeLog {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 500;

  private ChangeLog() {}

  /** Installs (or upgrades) prodguard's objects, the change log among them (component sync). */
  static void install(Connection c, SyncDialect d) throws SQLException {
    PipelineSchema.ensure(c, DatabaseSupport.of(d.kind()));
  }

  /** The key as a JSON object, column name to text. */
  static String key(TableShape shape, String[] key) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < key.length; i++) {
      o.put(shape.keys().get(i).name(), key[i]);
    }
    return o.toString();
  }

  /** A row image: column to text, null, or {@code {"base64": ...}} for bytes; null for none. */
  static String image(TableShape shape, Object[] row) {
    if (row == null) {
      return null;
    }
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < row.length; i++) {
      String name = shape.columns().get(i).name();
      Object v = row[i];
      if (v == null) {
        o.putNull(name);
      } else if (v instanceof byte[] b) {
        o.putObject(name).put("base64", Base64.getEncoder().encodeToString(b));
      } else {
        o.put(name, (String) v);
      }
    }
    return o.toString();
  }

  static String[] parseKey(TableShape shape, String json) {
    JsonNode o = parse(json);
    String[] key = new String[shape.keys().size()];
    for (int i = 0; i < key.length; i++) {
      JsonNode v = o.get(shape.keys().get(i).name());
      if (v == null || !v.isTextual()) {
        throw new IllegalStateException("stored key " + json + " lacks " + shape.keyNames());
      }
      key[i] = v.textValue();
    }
    return key;
  }

  static Object[] parseImage(TableShape shape, String json) {
    if (json == null) {
      return null;
    }
    JsonNode o = parse(json);
    Object[] row = new Object[shape.columns().size()];
    for (int i = 0; i < row.length; i++) {
      Column c = shape.columns().get(i);
      JsonNode v = o.get(c.name());
      if (v == null) {
        throw new IllegalStateException("stored image lacks column " + c.name());
      }
      if (v.isNull()) {
        row[i] = null;
      } else if (v.isObject() && v.get("base64") != null) {
        row[i] = Base64.getDecoder().decode(v.get("base64").textValue());
      } else {
        row[i] = v.textValue();
      }
    }
    return row;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable stored image: " + e.getOriginalMessage());
    }
  }

  /** The line a stored change contributes to the run's SHA-256. */
  private static byte[] line(
      String runId, long seq, String table, String op, String key, String before, String after) {
    ArrayNode a = JSON.createArrayNode();
    a.add(runId).add(seq).add(table).add(op).add(key).add(before).add(after);
    return (a.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the changes of one run, in batches, inside the caller's transaction. */
  static final class Recorder implements AutoCloseable {
    private final PreparedStatement insert;
    private final String runId;
    private final MessageDigest digest = newDigest();
    private long seq;
    private int pending;

    Recorder(Connection c, String runId) throws SQLException {
      this.runId = runId;
      this.insert =
          c.prepareStatement(
              "INSERT INTO prodguard_sync_change (run_id, seq, table_name, op, row_key,"
                  + " before_image, after_image) VALUES (?, ?, ?, ?, ?, ?, ?)");
    }

    void record(TableShape shape, Change c) throws SQLException {
      seq++;
      String key = key(shape, c.key());
      String before = image(shape, c.before());
      String after = image(shape, c.after());
      insert.setString(1, runId);
      insert.setLong(2, seq);
      insert.setString(3, shape.table());
      insert.setString(4, c.op().label());
      insert.setString(5, key);
      insert.setString(6, before);
      insert.setString(7, after);
      insert.addBatch();
      digest.update(line(runId, seq, shape.table(), c.op().label(), key, before, after));
      if (++pending >= BATCH) {
        flush();
      }
    }

    void flush() throws SQLException {
      if (pending > 0) {
        insert.executeBatch();
        pending = 0;
      }
    }

    long count() {
      return seq;
    }

    String sha256() {
      return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws SQLException {
      insert.close();
    }
  }

  /** A stored change as text. */
  record Stored(long seq, String table, String op, String key, String before, String after) {}

  /** Receives stored changes in sequence order. */
  interface StoredSink {
    void accept(Stored s) throws Exception;
  }

  /** What reading a run's stored changes found. */
  record ReadResult(long count, String sha256) {}

  /** Streams the stored changes of a run in order and hashes them as {@link Recorder} did. */
  static ReadResult read(Connection c, String runId, StoredSink sink) throws Exception {
    MessageDigest digest = newDigest();
    long count = 0;
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false); // PostgreSQL streams only inside a transaction
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq, table_name, op, row_key, before_image, after_image"
                + " FROM prodguard_sync_change WHERE run_id = ? ORDER BY seq")) {
      ps.setFetchSize(RowStream.FETCH_SIZE);
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Stored s =
              new Stored(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6));
          count++;
          digest.update(line(runId, s.seq, s.table, s.op, s.key, s.before, s.after));
          sink.accept(s);
        }
      }
    } finally {
      c.rollback();
      c.setAutoCommit(auto);
    }
    return new ReadResult(count, HexFormat.of().formatHex(digest.digest()));
  }
}
