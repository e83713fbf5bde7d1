package org.jgluon.bench;

import java.util.Arrays;

/** The summary statistics the benchmarks report, one definition for all of them. */
public final class Stats {

    private Stats() {}

    /** The median (the mean of the middle two for an even count, as Python's statistics.median); the input is not changed. */
    public static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
