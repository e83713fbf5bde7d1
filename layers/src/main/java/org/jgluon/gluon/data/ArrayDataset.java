package org.jgluon.gluon.data;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;

/**
 * Gluon's {@code ArrayDataset(data, label)}: item {@code i} is row {@code i} of {@code data}
 * (shape {@code data.shape[1:]}, a copy) with the label {@code label[i]}.
 */
public final class ArrayDataset implements Dataset<Sample> {

    private final Tensor data;
    private final Tensor label;
    private final int[] itemShape;
    private final int itemSize;

    /** {@code data} (N, ...) and {@code label} (N,) or (N, 1). */
    public ArrayDataset(Tensor data, Tensor label) {
        if (data.ndim() < 1) {
            throw new IllegalArgumentException("ArrayDataset: data must have a leading sample axis, got shape "
                    + data.shapeString());
        }
        int n = data.dim(0);
        boolean labelOk = (label.ndim() == 1 && label.dim(0) == n)
                || (label.ndim() == 2 && label.dim(0) == n && label.dim(1) == 1);
        if (!labelOk) {
            throw new IllegalArgumentException("ArrayDataset: label must have shape (" + n + ",) to match data "
                    + data.shapeString() + ", got " + label.shapeString());
        }
        int[] shape = data.shape();
        this.itemShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        this.itemSize = Shapes.prod(itemShape, 0, itemShape.length);
        this.data = data;
        this.label = label;
    }

    /** {@code data} (N, ...) with labels given as numbers. */
    public ArrayDataset(Tensor data, float[] label) {
        this(data, Tensor.wrap(label.clone(), label.length));
    }

    @Override
    public int size() {
        return data.dim(0);
    }

    @Override
    public Sample get(int i) {
        Dataset.checkIndex("ArrayDataset", i, size());
        float[] row = new float[itemSize];
        System.arraycopy(data.data(), data.offset() + i * itemSize, row, 0, itemSize);
        return new Sample(Tensor.wrap(row, itemShape), label.get(i));
    }

    @Override
    public String toString() {
        return "ArrayDataset(" + size() + " items of " + Shapes.str(itemShape) + ")";
    }
}
