package dev.prodguard.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Changes parked on disk between the locked re-check read and the writes, one file per table, so
 * that a plan of any size needs bounded heap and no result set stays open while writing (MariaDB
 * cannot interleave statements with a streaming read). Owner-only files, deleted on close.
 */
final class Spill implements AutoCloseable {
  private final Path dir;

  private Spill(Path dir) {
    this.dir = dir;
  }

  static Spill create() throws IOException {
    Path dir;
    try {
      dir =
          Files.createTempDirectory(
              "prodguard-sync-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      dir = Files.createTempDirectory("prodguard-sync-");
    }
    return new Spill(dir);
  }

  private Path file(int table) {
    return dir.resolve("table-" + table + ".bin");
  }

  Writer writer(int table, TableShape shape) throws IOException {
    return new Writer(
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file(table)), 1 << 16)),
        shape);
  }

  Reader reader(int table, TableShape shape) throws IOException {
    return new Reader(
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file(table)), 1 << 16)),
        shape);
  }

  /** Appends changes of one table. */
  static final class Writer implements ChangeSink, AutoCloseable {
    private final DataOutputStream out;
    private final TableShape shape;
    private long count;

    private Writer(DataOutputStream out, TableShape shape) {
      this.out = out;
      this.shape = shape;
    }

    @Override
    public void accept(Change c) throws IOException {
      out.writeByte(c.op().ordinal());
      for (String k : c.key()) {
        writeValue(k);
      }
      writeRow(c.before());
      writeRow(c.after());
      count++;
    }

    private void writeRow(Object[] row) throws IOException {
      out.writeBoolean(row != null);
      if (row != null) {
        if (row.length != shape.columns().size()) {
          throw new IllegalStateException("row width does not match " + shape.table());
        }
        for (Object v : row) {
          writeValue(v);
        }
      }
    }

    private void writeValue(Object v) throws IOException {
      if (v == null) {
        out.writeByte(0);
      } else if (v instanceof byte[] b) {
        out.writeByte(2);
        out.writeInt(b.length);
        out.write(b);
      } else {
        byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
        out.writeByte(1);
        out.writeInt(b.length);
        out.write(b);
      }
    }

    long count() {
      return count;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Reads the changes of one table back in the order they were written. */
  static final class Reader implements AutoCloseable {
    private final DataInputStream in;
    private final TableShape shape;

    private Reader(DataInputStream in, TableShape shape) {
      this.in = in;
      this.shape = shape;
    }

    /** The next change, or null at the end. */
    Change next() throws IOException {
      int op;
      try {
        op = in.readUnsignedByte();
      } catch (EOFException e) {
        return null;
      }
      String[] key = new String[shape.keys().size()];
      for (int i = 0; i < key.length; i++) {
        key[i] = (String) readValue();
      }
      Object[] before = readRow();
      Object[] after = readRow();
      return new Change(Change.Op.values()[op], key, before, after);
    }

    private Object[] readRow() throws IOException {
      if (!in.readBoolean()) {
        return null;
      }
      Object[] row = new Object[shape.columns().size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = readValue();
      }
      return row;
    }

    private Object readValue() throws IOException {
      int tag = in.readUnsignedByte();
      if (tag == 0) {
        return null;
      }
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return tag == 2 ? b : new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the sync spill folder " + dir, e);
    }
  }
}
