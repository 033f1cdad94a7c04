package org.corvid.ejb.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * An IMAP sequence set ({@code 1:4,7,9:*}) of message numbers or UIDs (RFC 9051 9: {@code *} is the largest
 * number in use; a range may be written backwards).
 */
public final class SequenceSet {
    private final List<long[]> ranges;

    private SequenceSet(List<long[]> ranges) {
        this.ranges = ranges;
    }

    /** Parses {@code text} with {@code *} = {@code largest}; null if it is not a sequence set. */
    public static SequenceSet parse(String text, long largest) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        List<long[]> ranges = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] ends = part.split(":", -1);
            if (ends.length > 2) {
                return null;
            }
            long a = number(ends[0], largest);
            long b = ends.length == 2 ? number(ends[1], largest) : a;
            if (a < 0 || b < 0) {
                return null;
            }
            ranges.add(new long[] {Math.min(a, b), Math.max(a, b)});
        }
        return new SequenceSet(ranges);
    }

    private static long number(String s, long largest) {
        if (s.equals("*")) {
            return largest;
        }
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long n = Long.parseLong(s);
        return n == 0 || n > 0xffffffffL ? -1 : n;
    }

    /** The set with no members. */
    public static SequenceSet empty() {
        return new SequenceSet(List.of());
    }

    /** Every number in the set, ascending (for sets of UIDs that exist, not for {@code 1:*} of a huge mailbox). */
    public List<Long> members() {
        java.util.TreeSet<Long> all = new java.util.TreeSet<>();
        for (long[] r : ranges) {
            for (long n = r[0]; n <= r[1]; n++) {
                all.add(n);
            }
        }
        return new ArrayList<>(all);
    }

    public boolean contains(long n) {
        for (long[] r : ranges) {
            if (n >= r[0] && n <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** {@code sorted} (ascending numbers) written as a set with ranges: 1,2,3,7 → {@code 1:3,7}. */
    public static String format(List<Long> sorted) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            out.append(out.length() == 0 ? "" : ",").append(sorted.get(i));
            if (j > i) {
                out.append(':').append(sorted.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }
}
