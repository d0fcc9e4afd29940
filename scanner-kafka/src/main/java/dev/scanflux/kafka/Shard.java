package dev.scanflux.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One node's share of the venues: node {@code index} of {@code count} ({@code 2/3} is the second
 * of three). The venues every node is configured with are sorted by name and dealt round-robin,
 * so {@code 1/3} takes the 1st, 4th, 7th, ... and the shares of all {@code count} nodes are
 * disjoint, cover every venue and differ in size by at most one. Every node must be given the
 * same venue list; the order it is given in does not matter.
 *
 * @param index this node's share, 1 to {@code count}
 * @param count how many nodes share the venues, 1 to 1,000
 */
public record Shard(int index, int count) {

  /** The whole: one node takes every venue. */
  public static final Shard ALL = new Shard(1, 1);

  /**
   * Checks the bounds.
   *
   * @throws IllegalArgumentException naming the bad value and its range
   */
  public Shard {
    if (count < 1 || count > 1000) {
      throw new IllegalArgumentException("shard count must be in [1, 1000] but was " + count);
    }
    if (index < 1 || index > count) {
      throw new IllegalArgumentException("shard index must be in [1, " + count + "] but was "
          + index);
    }
  }

  /**
   * Parses {@code INDEX/COUNT}, e.g. {@code 2/3}.
   *
   * @throws IllegalArgumentException naming the text if it is not in that form or out of range
   */
  public static Shard parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    int slash = s.indexOf('/');
    try {
      if (slash > 0) {
        return new Shard(Integer.parseInt(s.substring(0, slash).strip()),
            Integer.parseInt(s.substring(slash + 1).strip()));
      }
    } catch (NumberFormatException e) {
      // reported below with the whole text
    }
    throw new IllegalArgumentException("shard must look like INDEX/COUNT, e.g. 2/3, but was '"
        + text + "'");
  }

  /**
   * This node's venues out of every node's list.
   *
   * @param venues the venues every node is configured with
   * @return this share, sorted by name; possibly empty when there are fewer venues than nodes
   */
  public List<String> select(Collection<String> venues) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(venues));
    List<String> mine = new ArrayList<>();
    for (int i = index - 1; i < sorted.size(); i += count) {
      mine.add(sorted.get(i));
    }
    return List.copyOf(mine);
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
