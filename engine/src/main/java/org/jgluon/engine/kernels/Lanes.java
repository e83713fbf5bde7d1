package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Lane reductions in a fixed order. {@code FloatVector.reduceLanes(ADD)} may combine the lanes in
 * one order when interpreted and in another once C2 has compiled the loop, which changes the last
 * bits of a sum mid-run and breaks "same seed, same bits" (BatchNorm statistics drifted between
 * iterations of one JVM). Kernels call this once per block of partial sums, so its cost is nil.
 */
final class Lanes {

    private Lanes() {}

    /**
     * The sum of the lanes of {@code v}, in lane order, in double. Lane by lane rather than through
     * {@code toArray()}: that array is a heap allocation whenever C2 does not inline this method.
     * A caller whose loop inlines an exp should add the lanes itself the same way (past C2's
     * inlining budget this method is a call, and a vector passed to a call is boxed).
     */
    static double sum(FloatVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
