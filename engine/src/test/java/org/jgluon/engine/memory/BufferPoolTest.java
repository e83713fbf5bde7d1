package org.jgluon.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The buffer pool: exact-size reuse, zeroing takes, the byte bound, small arrays, double returns. */
class BufferPoolTest {

    private static final int N = BufferPool.MIN_POOLED + 17;
    private long savedMax;
    private int savedMin;

    @BeforeEach
    void setUp() {
        savedMax = BufferPool.maxBytes();
        savedMin = BufferPool.minLength();
        BufferPool.setMinLength(BufferPool.MIN_POOLED);
        BufferPool.clear();
        BufferPool.resetStats();
    }

    @AfterEach
    void tearDown() {
        BufferPool.setMaxBytes(savedMax);
        BufferPool.setMinLength(savedMin);
        BufferPool.clear();
        Recycling.setEnabled(true);
    }

    @Test
    void aReturnedArrayIsReusedForTheSameLengthOnly() {
        float[] a = BufferPool.takeFloats(N);
        BufferPool.give(a);
        assertNotSame(a, BufferPool.takeFloats(N + 1), "another length never gets it");
        assertSame(a, BufferPool.takeFloats(N));
        assertNotSame(a, BufferPool.takeFloats(N), "taken once only");
        BufferPool.Stats s = BufferPool.stats();
        assertEquals(1, s.hits());
        assertEquals(3, s.misses());
        assertEquals(1, s.returned());
        assertEquals(0, s.heldBytes());
    }

    /** More lengths than the pool's first table holds (32), floats and ints apart: each finds its own arrays. */
    @Test
    void manyLengthsEachFindTheirOwnArrays() {
        int lengths = 100;
        float[][] floats = new float[lengths][];
        int[][] ints = new int[lengths][];
        for (int i = 0; i < lengths; i++) {
            floats[i] = BufferPool.takeFloats(N + i);
            ints[i] = BufferPool.takeInts(N + i);
        }
        for (int i = lengths - 1; i >= 0; i--) { // given back in the other order
            BufferPool.give(floats[i]);
            BufferPool.give(ints[i]);
        }
        for (int i = 0; i < lengths; i++) {
            assertSame(floats[i], BufferPool.takeFloats(N + i), "float length " + (N + i));
            assertSame(ints[i], BufferPool.takeInts(N + i), "int length " + (N + i));
        }
        BufferPool.give(floats[7]);
        BufferPool.clear();
        assertNotSame(floats[7], BufferPool.takeFloats(N + 7), "cleared");
    }

    @Test
    void aZeroedTakeClearsWhatTheLastUserLeft() {
        float[] a = BufferPool.takeFloats(N);
        java.util.Arrays.fill(a, 3f);
        BufferPool.give(a);
        float[] b = BufferPool.takeZeroedFloats(N);
        assertSame(a, b);
        for (float v : b) assertEquals(0f, v);
    }

    @Test
    void intBuffersArePooledApartFromFloats() {
        int[] a = BufferPool.takeInts(N);
        BufferPool.give(a);
        assertSame(a, BufferPool.takeInts(N));
        float[] f = BufferPool.takeFloats(N);
        BufferPool.give(f);
        assertSame(f, BufferPool.takeFloats(N));
    }

    @Test
    void smallArraysAreNeverPooled() {
        float[] a = new float[BufferPool.MIN_POOLED - 1];
        BufferPool.give(a);
        assertNotSame(a, BufferPool.takeFloats(a.length));
        assertEquals(0, BufferPool.stats().returned());
    }

    @Test
    void thePoolHoldsNoMoreThanItsBound() {
        BufferPool.setMaxBytes(4L * N * 2);
        float[] a = new float[N], b = new float[N], c = new float[N];
        BufferPool.give(a);
        BufferPool.give(b);
        BufferPool.give(c);
        BufferPool.Stats s = BufferPool.stats();
        assertEquals(2, s.returned());
        assertEquals(1, s.dropped());
        assertEquals(4L * N * 2, s.heldBytes());
    }

    @Test
    void givingAnArrayBackTwiceIsCaught() {
        float[] a = new float[N];
        BufferPool.give(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BufferPool.give(a));
        assertTrue(e.getMessage().contains("given back twice"), e.getMessage());
    }

    @Test
    void switchedOffItAllocatesFreshArrays() {
        Recycling.setEnabled(false);
        float[] a = new float[N];
        BufferPool.give(a);
        assertNotSame(a, BufferPool.takeFloats(N));
        assertEquals(0, BufferPool.stats().returned());
    }

    @Test
    void poisonedTakesShowUnwrittenElements() {
        float[] a = BufferPool.takeFloats(N);
        BufferPool.give(a);
        BufferPool.setPoison(true);
        try {
            float[] b = BufferPool.takeFloats(N);
            assertTrue(Float.isNaN(b[N - 1]));
        } finally {
            BufferPool.setPoison(false);
        }
    }
}
