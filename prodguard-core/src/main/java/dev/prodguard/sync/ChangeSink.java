package dev.prodguard.sync;

import java.io.IOException;

/** Receives the changes of one table, in key order. */
interface ChangeSink {
  void accept(Change change) throws IOException;

  static ChangeSink both(ChangeSink a, ChangeSink b) {
    return c -> {
      a.accept(c);
      b.accept(c);
    };
  }
}
