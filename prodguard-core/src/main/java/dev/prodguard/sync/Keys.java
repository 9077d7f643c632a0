package dev.prodguard.sync;

import dev.prodguard.support.sync.KeyKind;

/** Renders keys for people: {@code id=5} or {@code (region, code)=('eu', 'x1')}. */
final class Keys {
  private Keys() {}

  static String show(TableShape shape, String[] key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < key.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape.keys().get(i).name()).append('=');
      sb.append(
          shape.keyKinds().get(i) == KeyKind.TEXT ? Values.show(key[i]) : String.valueOf(key[i]));
    }
    return sb.toString();
  }
}
