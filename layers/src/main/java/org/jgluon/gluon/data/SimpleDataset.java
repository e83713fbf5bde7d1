package org.jgluon.gluon.data;

import java.util.List;

/** Gluon's {@code SimpleDataset}: the items of a list, by index. */
public final class SimpleDataset<T> implements Dataset<T> {

    private final List<T> items;

    public SimpleDataset(List<T> items) {
        this.items = List.copyOf(items);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(int i) {
        Dataset.checkIndex("SimpleDataset", i, items.size());
        return items.get(i);
    }

    @Override
    public String toString() {
        return "SimpleDataset(" + items.size() + " items)";
    }
}
