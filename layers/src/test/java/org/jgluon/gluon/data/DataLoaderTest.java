package org.jgluon.gluon.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** n samples of shape (1, 2, 2): every value of sample i is i, its label is 1000 + i. */
    static ArrayDataset numbered(int n) {
        float[] data = new float[n * 4];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(data, 4 * i, 4 * i + 4, i);
            labels[i] = 1000 + i;
        }
        return new ArrayDataset(Tensor.wrap(data, n, 1, 2, 2), labels);
    }

    /** The sample ids of every batch of one epoch, checking data and labels agree. */
    static List<int[]> epochIds(DataLoader loader) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : loader) {
            int n = b.size();
            assertArrayEquals(new int[] {n}, b.label().shape());
            int[] ids = new int[n];
            for (int k = 0; k < n; k++) {
                ids[k] = (int) b.data().get(k * 4);
                for (int j = 1; j < 4; j++) assertEquals(ids[k], b.data().get(k * 4 + j));
                assertEquals(1000 + ids[k], b.label().get(k));
            }
            out.add(ids);
        }
        return out;
    }

    @Test
    void keepDiscardRolloverBatchCountsAndShapes() {
        ArrayDataset ds = numbered(10);
        DataLoader keep = new DataLoader(ds, 4, false, "keep", 0, 1);
        assertEquals(3, keep.size());
        List<Batch> batches = new ArrayList<>();
        keep.forEach(batches::add);
        assertEquals(3, batches.size());
        assertArrayEquals(new int[] {4, 1, 2, 2}, batches.get(0).data().shape());
        assertArrayEquals(new int[] {2, 1, 2, 2}, batches.get(2).data().shape());
        assertArrayEquals(new int[] {8, 9}, epochIds(new DataLoader(ds, 4, false, "keep", 0, 1)).get(2));

        DataLoader discard = new DataLoader(ds, 4, false, "discard", 0, 1);
        assertEquals(2, discard.size());
        assertEquals(2, epochIds(discard).size());

        // rollover: 10 = 2·4 + 2 left over; epoch 1 starts with samples 8, 9
        DataLoader roll = new DataLoader(ds, 4, false, "rollover", 0, 1);
        assertEquals(2, roll.size());
        List<int[]> e0 = epochIds(roll);
        assertEquals(2, e0.size());
        assertEquals(3, roll.size()); // (2 carried + 10) / 4
        List<int[]> e1 = epochIds(roll);
        assertEquals(3, e1.size());
        assertArrayEquals(new int[] {8, 9, 0, 1}, e1.get(0));
        assertArrayEquals(new int[] {6, 7, 8, 9}, e1.get(2));
        assertEquals(2, roll.size()); // (0 carried + 10) / 4
    }

    @Test
    void rolloverUsesEverySampleOnceAcrossEpochs() {
        // 4 epochs of 10 with batch 4: 40 samples in 10 batches, each id exactly 4 times
        DataLoader roll = new DataLoader(numbered(10), 4, true, "rollover", 0, 7);
        int[] seen = new int[10];
        int batches = 0;
        for (int e = 0; e < 4; e++) {
            for (int[] ids : epochIds(roll)) {
                assertEquals(4, ids.length);
                for (int id : ids) seen[id]++;
                batches++;
            }
        }
        assertEquals(10, batches);
        for (int s : seen) assertEquals(4, s);
    }

    @Test
    void rolloverWithFewerSamplesThanABatch() {
        // 3 samples, batch 4: epoch 0 yields nothing, epoch 1 yields one batch of 3 + 1 carried... ids stay complete
        DataLoader roll = new DataLoader(numbered(3), 4, true, "rollover", 0, 3);
        int[] seen = new int[3];
        for (int e = 0; e < 4; e++) for (int[] ids : epochIds(roll)) for (int id : ids) seen[id]++;
        assertArrayEquals(new int[] {4, 4, 4}, seen); // 12 samples = 3 full batches over 4 epochs
        DataLoader again = new DataLoader(numbered(3), 4, true, "rollover", 0, 3);
        again.setEpoch(3);
        roll.setEpoch(3);
        assertEquals(flat(epochIds(roll)), flat(epochIds(again)));
    }

    @Test
    void shuffleIsAPermutationDeterminedBySeedAndEpoch() {
        ArrayDataset ds = numbered(50);
        DataLoader a = new DataLoader(ds, 8, true, "keep", 0, 123);
        DataLoader b = new DataLoader(ds, 8, true, "keep", 0, 123);
        List<Integer> a0 = flat(epochIds(a)), b0 = flat(epochIds(b));
        assertEquals(a0, b0);
        List<Integer> sorted = new ArrayList<>(a0);
        sorted.sort(null);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted.get(i));
        assertNotEquals(identity(50), a0, "shuffled order equals the identity");
        List<Integer> a1 = flat(epochIds(a));
        assertNotEquals(a0, a1, "epoch 1 repeats epoch 0's order");
        assertNotEquals(a0, flat(epochIds(new DataLoader(ds, 8, true, "keep", 0, 124))), "another seed, same order");
        assertEquals(identity(50), flat(epochIds(new DataLoader(ds, 8, false, "keep", 0, 123))));
    }

    @Test
    void setEpochResumesTheExactOrder() {
        ArrayDataset ds = numbered(23);
        for (String last : new String[] {"keep", "discard", "rollover"}) {
            DataLoader run = new DataLoader(ds, 5, true, last, 0, 99);
            List<List<Integer>> epochs = new ArrayList<>();
            for (int e = 0; e < 5; e++) epochs.add(flat(epochIds(run)));
            assertEquals(5, run.epoch());
            DataLoader resumed = new DataLoader(ds, 5, true, last, 0, 99);
            resumed.setEpoch(3);
            assertEquals(epochs.get(3), flat(epochIds(resumed)), last);
            assertEquals(epochs.get(4), flat(epochIds(resumed)), last);
        }
    }

    @Test
    void prefetchGivesTheSameBatchesAsLoadingInline() {
        ArrayDataset ds = numbered(37);
        for (int workers : new int[] {1, 2, 3}) {
            DataLoader inline = new DataLoader(ds, 4, true, "keep", 0, 5);
            DataLoader ahead = new DataLoader(ds, 4, true, "keep", workers, 5);
            for (int e = 0; e < 3; e++) {
                List<Batch> x = new ArrayList<>(), y = new ArrayList<>();
                inline.forEach(x::add);
                ahead.forEach(y::add);
                assertEquals(x.size(), y.size());
                for (int k = 0; k < x.size(); k++) {
                    assertArrayEquals(x.get(k).data().shape(), y.get(k).data().shape());
                    assertArrayEquals(x.get(k).data().toArray(), y.get(k).data().toArray());
                    assertArrayEquals(x.get(k).label().toArray(), y.get(k).label().toArray());
                }
            }
        }
    }

    @Test
    void prefetchRunsOnTheLoadersOwnDaemonThreads() {
        List<Thread> threads = new ArrayList<>();
        Dataset<Sample> ds = numbered(12).transformFirst(x -> {
            synchronized (threads) {
                threads.add(Thread.currentThread());
            }
            return x;
        });
        for (Batch ignored : new DataLoader(ds, 4, false, "keep", 2, 0)) {
            // drain
        }
        assertEquals(12, threads.size());
        for (Thread t : threads) {
            assertTrue(t.getName().startsWith("jgluon-data-") && t.isDaemon(), t.getName());
            assertFalse(t == Thread.currentThread());
        }
    }

    @Test
    void aFailingTransformSurfacesInTheConsumerWithItsCause() {
        for (int workers : new int[] {0, 2}) {
            RuntimeException boom = new UnsupportedOperationException("boom at sample 9");
            Dataset<Sample> ds = numbered(20).transform(s -> {
                if (s.label() == 1009) throw boom;
                return s;
            });
            DataLoader loader = new DataLoader(ds, 4, false, "keep", workers, 0);
            var it = loader.iterator();
            it.next();
            it.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("batch 2 of epoch 0") && e.getMessage().contains("boom at sample 9"), e.getMessage());
            assertFalse(it.hasNext(), "the epoch must end at the failure");
        }
    }

    @Test
    void aSingleThreadedScriptTransformGetsAHint() {
        // what GraalJS throws when a JS function is called from a second thread
        Dataset<Sample> ds = numbered(4).transformFirst(x -> {
            throw new IllegalStateException("Multi threaded access requested by thread X but is not allowed for language(s) js.");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DataLoader(ds, 2, false, "keep", 1, 0).iterator().next());
        assertTrue(e.getMessage().endsWith("use num_workers = 0"), e.getMessage());
    }

    @Test
    void illegalArgumentFromATransformStaysIllegalArgument() {
        Dataset<Sample> ds = numbered(6).transformFirst(x -> {
            throw new IllegalArgumentException("Resize: bad image");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(ds, 4, false, "keep", 1, 0).iterator().next());
        assertTrue(e.getMessage().contains("Resize: bad image"), e.getMessage());
    }

    @Test
    void itemsOfDifferentShapesGiveAClearError() {
        Dataset<Sample> ds = numbered(4).transformFirst(x -> x.get(0) == 2 ? Tensor.zeros(3) : x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(ds, 4, false, "keep", 0, 0).iterator().next());
        assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(1, 2, 2)"), e.getMessage());
    }

    @Test
    void bareTensorItemsBatchWithoutLabels() {
        Dataset<Tensor> ds = numbered(5).transform(Sample::data);
        List<Batch> batches = new ArrayList<>();
        new DataLoader(ds, 2, false, "keep", 0, 0).forEach(batches::add);
        assertEquals(3, batches.size());
        assertNull(batches.get(0).label());
        assertArrayEquals(new int[] {1, 1, 2, 2}, batches.get(2).data().shape());
        assertEquals(4f, batches.get(2).data().get(0));
    }

    @Test
    void rejectsBadArguments() {
        ArrayDataset ds = numbered(3);
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(ds, 2, false, "drop", 0, 0));
        assertTrue(e.getMessage().contains("'drop'") && e.getMessage().contains("rollover"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 2, false, "keep", -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 2).setEpoch(-1));
    }

    static List<Integer> flat(List<int[]> batches) {
        List<Integer> out = new ArrayList<>();
        for (int[] b : batches) for (int v : b) out.add(v);
        return out;
    }

    static List<Integer> identity(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i);
        return out;
    }
}
