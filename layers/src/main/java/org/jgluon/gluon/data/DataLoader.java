package org.jgluon.gluon.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;

/**
 * Gluon's {@code DataLoader}: iterates a {@link Dataset} in mini-batches of stacked
 * {@link Batch}es, optionally shuffled, with the last partial batch kept, discarded or rolled
 * over into the next epoch.
 *
 * <p><b>Order.</b> Each {@link #iterator()} is one epoch. The order of epoch {@code e} is a
 * permutation drawn from {@code (seed, e)} alone, so {@link #setEpoch(int)} restores the data
 * order of any epoch exactly (save {@link #epoch()} in a checkpoint). With {@code rollover} the
 * leftover samples of epoch {@code e-1} start epoch {@code e}; they too follow from
 * {@code (seed, e)}.
 *
 * <p><b>Prefetch.</b> With {@code numWorkers >= 1}, batches are fetched, transformed and stacked
 * ahead of the consumer on that many daemon threads of the loader's own executor (never the
 * engine's compute pool), up to {@code 2 * numWorkers} batches ahead (at least 2). Batches come
 * back in order and equal to those of {@code numWorkers = 0}, which loads in the consuming thread.
 * A failure while loading a batch is rethrown by {@code next()} in the consuming thread, with the
 * batch and the original exception as cause. Transforms and the dataset must then be callable
 * from several threads (the built-in ones are); a transform written in JavaScript is not, so use
 * {@code numWorkers = 0} for those.
 */
public final class DataLoader implements Iterable<Batch> {

    /** What to do with the last {@code size % batchSize} samples of an epoch. */
    public enum LastBatch {
        /** A smaller final batch. */
        KEEP,
        /** Drop them. */
        DISCARD,
        /** Carry them over to the start of the next epoch. */
        ROLLOVER;

        public static LastBatch parse(String s) {
            if (s == null) return KEEP;
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "keep" -> KEEP;
                case "discard" -> DISCARD;
                case "rollover" -> ROLLOVER;
                default -> throw new IllegalArgumentException("DataLoader: last_batch '" + s
                        + "' is not one of 'keep', 'discard', 'rollover'");
            };
        }
    }

    /** Background threads a loader uses when the caller does not say. */
    public static final int DEFAULT_WORKERS = 1;

    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    private final Dataset<?> dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final LastBatch lastBatch;
    private final int numWorkers;
    private final long seed;
    private volatile int epoch;
    private ThreadPoolExecutor executor;

    /**
     * @param lastBatch  {@code "keep"}, {@code "discard"} or {@code "rollover"} (null = keep)
     * @param numWorkers background loading threads; 0 loads in the consuming thread
     * @param seed       the shuffle seed (epoch {@code e} uses the permutation of {@code (seed, e)})
     */
    public DataLoader(Dataset<?> dataset, int batchSize, boolean shuffle, String lastBatch, int numWorkers, long seed) {
        if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset is null");
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch_size must be at least 1, got " + batchSize);
        if (numWorkers < 0) throw new IllegalArgumentException("DataLoader: num_workers must be >= 0, got " + numWorkers);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.lastBatch = LastBatch.parse(lastBatch);
        this.numWorkers = numWorkers;
        this.seed = seed;
    }

    /** Shuffle seed drawn from the process-wide stream ({@code mx.random.seed}). */
    public DataLoader(Dataset<?> dataset, int batchSize, boolean shuffle, String lastBatch, int numWorkers) {
        this(dataset, batchSize, shuffle, lastBatch, numWorkers, Rng.global().nextSeed());
    }

    public DataLoader(Dataset<?> dataset, int batchSize, boolean shuffle, String lastBatch) {
        this(dataset, batchSize, shuffle, lastBatch, DEFAULT_WORKERS);
    }

    public DataLoader(Dataset<?> dataset, int batchSize, boolean shuffle) {
        this(dataset, batchSize, shuffle, "keep");
    }

    public DataLoader(Dataset<?> dataset, int batchSize) {
        this(dataset, batchSize, false);
    }

    public Dataset<?> dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public LastBatch lastBatch() {
        return lastBatch;
    }

    public int numWorkers() {
        return numWorkers;
    }

    public long seed() {
        return seed;
    }

    /** The epoch the next {@link #iterator()} will produce (0 before the first). */
    public int epoch() {
        return epoch;
    }

    /** Makes the next {@link #iterator()} produce epoch {@code e}'s batches (resuming a run). */
    public void setEpoch(int e) {
        if (e < 0) throw new IllegalArgumentException("DataLoader.setEpoch: epoch must be >= 0, got " + e);
        epoch = e;
    }

    /** The number of batches the next epoch yields (Gluon's {@code len(loader)}). */
    public int size() {
        return size(epoch);
    }

    private int size(int e) {
        int n = dataset.size();
        return switch (lastBatch) {
            case KEEP -> (n + batchSize - 1) / batchSize;
            case DISCARD -> n / batchSize;
            case ROLLOVER -> (carryCount(e) + n) / batchSize;
        };
    }

    /** Samples carried into epoch {@code e} by rollover: {@code e * n mod B}. */
    private int carryCount(int e) {
        return (int) ((long) e * dataset.size() % batchSize);
    }

    /** The sample order of epoch {@code e}, before rollover. */
    int[] permutation(int e) {
        int[] p = new int[dataset.size()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        if (shuffle) new Rng(Rng.bits(seed, e)).shuffle(p);
        return p;
    }

    /** The full index sequence of epoch {@code e}: carried-over samples, then the epoch's order. */
    int[] sequence(int e) {
        int[] perm = permutation(e);
        int carry = lastBatch == LastBatch.ROLLOVER ? carryCount(e) : 0;
        if (carry == 0) return perm;
        int[] seq = new int[carry + perm.length];
        System.arraycopy(lastOf(e - 1, carry), 0, seq, 0, carry);
        System.arraycopy(perm, 0, seq, carry, perm.length);
        return seq;
    }

    /** The last {@code k} indices of epoch {@code e}'s sequence, without building it when not needed. */
    private int[] lastOf(int e, int k) {
        int[] perm = permutation(e);
        if (k <= perm.length) return Arrays.copyOfRange(perm, perm.length - k, perm.length);
        // fewer samples than a batch: part of the carry into e is still left over after e
        int[] seq = sequence(e);
        return Arrays.copyOfRange(seq, seq.length - k, seq.length);
    }

    /** One epoch: the batches of epoch {@link #epoch()}, which then advances. */
    @Override
    public Iterator<Batch> iterator() {
        int e;
        synchronized (this) {
            e = epoch;
            epoch = e + 1;
        }
        return new EpochIterator(e);
    }

    /** Stacks the items {@code idx[from..to)} into one batch. */
    Batch loadBatch(int[] idx, int from, int to) {
        int b = to - from;
        Object first = dataset.get(idx[from]);
        Tensor firstData = dataOf(first, idx[from]);
        int[] itemShape = firstData.shape();
        int itemSize = firstData.size();
        int[] batchShape = new int[itemShape.length + 1];
        batchShape[0] = b;
        System.arraycopy(itemShape, 0, batchShape, 1, itemShape.length);
        float[] data = new float[Shapes.checkedSize("DataLoader batch", batchShape)];
        float[] labels = first instanceof Sample ? new float[b] : null;
        for (int k = 0; k < b; k++) {
            Object item = k == 0 ? first : dataset.get(idx[from + k]);
            Tensor x = k == 0 ? firstData : dataOf(item, idx[from + k]);
            if (!Arrays.equals(x.shape(), itemShape)) {
                throw new IllegalArgumentException("DataLoader: cannot stack sample " + idx[from + k] + " of shape "
                        + x.shapeString() + " with sample " + idx[from] + " of shape " + Shapes.str(itemShape)
                        + "; give every item the same shape (e.g. transforms.Resize)");
            }
            System.arraycopy(x.data(), x.offset(), data, k * itemSize, itemSize);
            if (labels != null) {
                if (!(item instanceof Sample s)) {
                    throw new IllegalArgumentException("DataLoader: sample " + idx[from + k] + " is a bare tensor but sample "
                            + idx[from] + " is a Sample; a dataset must yield one kind of item");
                }
                labels[k] = s.label();
            }
        }
        return new Batch(Tensor.wrap(data, batchShape), labels == null ? null : Tensor.wrap(labels, b));
    }

    private static Tensor dataOf(Object item, int index) {
        if (item instanceof Sample s) return s.data();
        if (item instanceof Tensor t) return t;
        throw new IllegalArgumentException("DataLoader: sample " + index + " is a "
                + (item == null ? "null" : item.getClass().getSimpleName())
                + "; the dataset must yield Sample (data, label) or Tensor items");
    }

    private synchronized ThreadPoolExecutor executor() {
        if (executor == null) {
            int id = LOADER_IDS.incrementAndGet();
            AtomicInteger threadIds = new AtomicInteger();
            executor = new ThreadPoolExecutor(numWorkers, numWorkers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "jgluon-data-" + id + "-" + threadIds.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            // idle loaders give their threads back; a long-lived loader restarts them on demand
            executor.allowCoreThreadTimeOut(true);
        }
        return executor;
    }

    @Override
    public String toString() {
        return "DataLoader(" + dataset.size() + " samples, batch_size " + batchSize + ", shuffle " + shuffle
                + ", last_batch " + lastBatch.name().toLowerCase(Locale.ROOT) + ", num_workers " + numWorkers + ")";
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epochNo;
        private final int[] seq;
        private final int batches;
        private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
        private int next;      // index of the batch next() returns
        private int submitted; // batches handed to the executor so far

        EpochIterator(int e) {
            this.epochNo = e;
            this.seq = sequence(e);
            this.batches = size(e);
            if (numWorkers > 0) fill();
        }

        private void fill() {
            int ahead = Math.max(2, 2 * numWorkers);
            while (submitted < batches && submitted - next < ahead) {
                int k = submitted++;
                pending.add(executor().submit(() -> loadBatch(seq, k * batchSize, end(k))));
            }
        }

        private int end(int k) {
            return Math.min(seq.length, (k + 1) * batchSize);
        }

        @Override
        public boolean hasNext() {
            return next < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch " + epochNo + " has only " + batches + " batches");
            int k = next;
            try {
                if (numWorkers == 0) {
                    next++;
                    return loadBatch(seq, k * batchSize, end(k));
                }
                Future<Batch> f = pending.poll();
                next++;
                fill();
                return f.get();
            } catch (ExecutionException ex) {
                throw failure(k, ex.getCause());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                pending.forEach(p -> p.cancel(true));
                throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + k + " of epoch " + epochNo, ex);
            } catch (RuntimeException ex) {
                throw failure(k, ex);
            }
        }

        private RuntimeException failure(int k, Throwable cause) {
            pending.forEach(p -> p.cancel(true));
            pending.clear();
            next = batches; // the epoch is over: later batches would hide the error
            String msg = "DataLoader: loading batch " + k + " of epoch " + epochNo + " (samples "
                    + Arrays.toString(Arrays.copyOfRange(seq, k * batchSize, Math.min(end(k), k * batchSize + 8)))
                    + (end(k) - k * batchSize > 8 ? "..." : "") + ") failed: " + cause;
            if (numWorkers > 0 && String.valueOf(cause.getMessage()).contains("Multi threaded access")) {
                msg += "; a transform written in JavaScript cannot run on the loader's threads: use num_workers = 0";
            }
            if (cause instanceof IllegalArgumentException) return new IllegalArgumentException(msg, cause);
            if (cause instanceof Error err) throw err;
            return new IllegalStateException(msg, cause);
        }
    }
}
