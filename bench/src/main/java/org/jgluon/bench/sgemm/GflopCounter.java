package org.jgluon.bench.sgemm;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the GFLOP done in a JMH iteration; JMH reports it as a rate, so the secondary result
 * {@code gflop} in ops/s is the GFLOPS figure (fraction of peak: divide by 205 per core).
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class GflopCounter {
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }
}
