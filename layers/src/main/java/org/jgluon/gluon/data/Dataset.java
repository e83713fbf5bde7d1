package org.jgluon.gluon.data;

import java.util.function.Function;

import org.jgluon.engine.Tensor;

/**
 * Gluon's {@code Dataset}: a fixed number of items, each fetched by index. Implementations must
 * allow {@link #get(int)} from several threads at once (the {@link DataLoader} fetches on its
 * worker threads).
 *
 * @param <T> the item type; labelled data yields {@link Sample}s
 */
public interface Dataset<T> {

    int size();

    /** Item {@code i}, {@code 0 <= i < size()}. */
    T get(int i);

    /**
     * A view of this dataset with {@code fn} applied to every item when it is fetched (Gluon's
     * {@code transform(fn, lazy=True)}; nothing is precomputed).
     */
    default <R> Dataset<R> transform(Function<? super T, ? extends R> fn) {
        Dataset<T> base = this;
        return new Dataset<>() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public R get(int i) {
                return fn.apply(base.get(i));
            }

            @Override
            public String toString() {
                return base + ".transform(" + fn + ")";
            }
        };
    }

    /**
     * A view with {@code fn} applied to the first element of every item only: the image of a
     * {@link Sample}, leaving the label alone (Gluon's {@code transform_first}). An item that is a
     * bare tensor is transformed whole, as Gluon does for non-tuple items.
     */
    default Dataset<T> transformFirst(Function<Tensor, Tensor> fn) {
        Dataset<T> base = this;
        return new Dataset<>() {
            @Override
            public int size() {
                return base.size();
            }

            @SuppressWarnings("unchecked")
            @Override
            public T get(int i) {
                T item = base.get(i);
                if (item instanceof Sample s) return (T) new Sample(fn.apply(s.data()), s.label());
                if (item instanceof Tensor t) return (T) fn.apply(t);
                throw new IllegalArgumentException("transformFirst: item " + i + " is a "
                        + (item == null ? "null" : item.getClass().getSimpleName())
                        + ", not a Sample (data, label) or a Tensor; use transform(fn) for other item types");
            }

            @Override
            public String toString() {
                return base + ".transformFirst(" + fn + ")";
            }
        };
    }

    /**
     * The first {@code count} items (all of them when there are fewer), as a view: Gluon's
     * {@code take(count)}, e.g. for a run on part of the training set.
     */
    default Dataset<T> take(int count) {
        if (count < 0) throw new IllegalArgumentException("take: count must be >= 0, got " + count);
        Dataset<T> base = this;
        int n = Math.min(count, base.size());
        return new Dataset<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public T get(int i) {
                checkIndex("take(" + count + ")", i, n);
                return base.get(i);
            }

            @Override
            public String toString() {
                return base + ".take(" + count + ")";
            }
        };
    }

    /** Checks {@code 0 <= i < size}; the message names the dataset and its size. */
    static void checkIndex(String owner, int i, int size) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(owner + ": index " + i + " out of range for " + size + " items");
        }
    }
}
