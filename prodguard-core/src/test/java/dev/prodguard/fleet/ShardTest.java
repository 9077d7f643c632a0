package dev.prodguard.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Fleet shards: every target in exactly one shard, stable as the fleet grows")
class ShardTest {
  @Test
  @DisplayName("n shards hold every target exactly once, and roughly evenly")
  void exactlyOnce() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ids.add("tenant-" + i);
    }
    for (int n : new int[] {1, 2, 3, 7, 16}) {
      Map<String, Integer> owner = new HashMap<>();
      int[] sizes = new int[n];
      for (int i = 0; i < n; i++) {
        Shard s = new Shard(i, n);
        for (String id : ids) {
          if (s.contains(id)) {
            assertThat(owner.put(id, i)).as(id + " in two shards of " + n).isNull();
            sizes[i]++;
          }
        }
      }
      assertThat(owner).hasSize(ids.size());
      for (int size : sizes) {
        assertThat(size).isBetween(1000 / n / 2, 1000 / n * 2);
      }
    }
  }

  @Test
  @DisplayName("a target's shard depends on its id only: adding targets moves no one")
  void stable() {
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      before.add("tenant-" + i);
    }
    Map<String, Integer> owner = owners(before, 4);
    List<String> grown = new ArrayList<>(before);
    for (int i = 0; i < 50; i++) {
      grown.add(0, "new-" + i); // other targets, and a different order
    }
    Map<String, Integer> after = owners(grown, 4);
    for (String id : before) {
      assertThat(after.get(id)).as(id).isEqualTo(owner.get(id));
    }
    assertThat(Shard.parse("1/4").contains("tenant-42")).isEqualTo(owner.get("tenant-42") == 1);
  }

  private static Map<String, Integer> owners(List<String> ids, int n) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      for (String id : ids) {
        if (new Shard(i, n).contains(id)) {
          out.put(id, i);
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName("malformed --shard values are usage errors naming the form")
  void parse() {
    assertThat(Shard.parse("0/4")).isEqualTo(new Shard(0, 4));
    for (String bad : List.of("4/4", "-1/4", "1", "a/b", "1/0", "1/2/3", "")) {
      assertThatThrownBy(() -> Shard.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("i/n");
    }
  }
}
