package org.jgluon.engine;

import java.util.Arrays;

import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.engine.memory.Storage;

/**
 * A float32 n-dimensional array: a shape and a flat row-major {@code float[]} starting at an
 * offset (NCHW for images). {@link #reshape} gives a view on the same storage, never a copy.
 *
 * <p>Ownership: the storage belongs to the tensor that allocated it; views share it and must not
 * outlive a caller's decision to reuse it. Kernels read {@link #data()} from {@link #offset()}
 * for {@link #size()} elements.
 *
 * <p>Autograd: a leaf tensor takes part in differentiation after {@link #attachGrad()}; an output
 * of an op recorded under {@link Autograd#record} requires grad when one of its inputs does.
 * {@link #backward()} fills {@link #grad()} of the leaves.
 *
 * <p>Recycling: ops take large outputs from the {@link BufferPool} ({@link #pooled}); such a
 * tensor carries a {@link Storage} shared with its views. An internal activation of a block may
 * have its array given back (see {@link Recycling}); every later access to its values then throws
 * a clear {@link IllegalStateException} instead of reading another tensor's numbers.
 */
public final class Tensor {

    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int size;
    private final Storage storage; // null unless the array came from the BufferPool
    private boolean gradPooled;    // grad is an intermediate gradient from the pool (given back by clearGrad)
    private boolean gradStale;     // a 'write' leaf during backward: grad holds the last step's values, not yet zeroed

    // autograd state; see org.jgluon.engine.autograd.Autograd
    private Tensor grad;
    private GradReq gradReq = GradReq.NULL;
    private boolean requiresGrad;
    private Autograd.Node node; // the op that produced this tensor while recording; null for leaves

    public Tensor(float[] data, int offset, int... shape) {
        this(data, offset, null, shape);
    }

    private Tensor(float[] data, int offset, Storage storage, int... shape) {
        this.storage = storage;
        this.shape = shape.clone();
        this.size = Shapes.checkedSize("Tensor", this.shape);
        if (offset < 0 || (long) offset + size > data.length) {
            throw new IllegalArgumentException("Tensor: shape " + Shapes.str(shape) + " at offset " + offset
                    + " does not fit in storage of length " + data.length);
        }
        this.data = data;
        this.offset = offset;
    }

    /** A tensor over {@code data} (no copy) with the given shape. */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, 0, shape);
    }

    /** A new zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.checkedSize("zeros", shape)], 0, shape);
    }

    /**
     * A new tensor for an op to overwrite completely: a large one comes from the {@link BufferPool}
     * with undefined contents (and is internal when made inside a built-in block, see
     * {@link Recycling}); a small one is a plain zeroed array.
     */
    public static Tensor pooled(int... shape) {
        int n = Shapes.checkedSize("pooled", shape);
        if (!BufferPool.pools(n)) return new Tensor(new float[n], 0, shape);
        float[] a = BufferPool.takeFloats(n);
        return new Tensor(a, 0, Recycling.track(a), shape);
    }

    /** A new tensor filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /** A one-element tensor of shape {@code (1)}, as MXNet gives for a full reduction. */
    public static Tensor scalar(float value) {
        return wrap(new float[] {value}, 1);
    }

    // ---- storage -------------------------------------------------------------------------

    /** The backing array; elements live at {@code [offset(), offset() + size())}. */
    public float[] data() {
        return live();
    }

    /** The array, after checking that recycling has not given it back. */
    private float[] live() {
        if (storage != null && storage.isReleased()) throw storage.accessError(Shapes.str(shape));
        return data;
    }

    /** The recycling state of a pooled array shared with this tensor's views; null for a plain array. */
    public Storage storage() {
        return storage;
    }

    /** True when this tensor's array was given back by recycling (any access to the values throws). */
    public boolean isReleased() {
        return storage != null && storage.isReleased();
    }

    public int offset() {
        return offset;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** The extent of axis {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        int a = i < 0 ? i + shape.length : i;
        if (a < 0 || a >= shape.length) {
            throw new IllegalArgumentException("axis " + i + " is out of range for shape " + Shapes.str(shape));
        }
        return shape[a];
    }

    public int size() {
        return size;
    }

    /** The element at a flat row-major index. */
    public float get(int flatIndex) {
        if (flatIndex < 0 || flatIndex >= size) {
            throw new IndexOutOfBoundsException("index " + flatIndex + " out of range for shape " + Shapes.str(shape));
        }
        return live()[offset + flatIndex];
    }

    public void set(int flatIndex, float v) {
        if (flatIndex < 0 || flatIndex >= size) {
            throw new IndexOutOfBoundsException("index " + flatIndex + " out of range for shape " + Shapes.str(shape));
        }
        live()[offset + flatIndex] = v;
    }

    /** The elements as a new array. */
    public float[] toArray() {
        return Arrays.copyOfRange(live(), offset, offset + size);
    }

    /** A deep copy (new storage, no autograd history). */
    public Tensor copy() {
        return new Tensor(toArray(), 0, shape);
    }

    /** Copies {@code src}'s elements into this tensor; sizes must match. */
    public Tensor copyFrom(Tensor src) {
        if (src.size != size) {
            throw new IllegalArgumentException("copyFrom: size " + src.size + " " + Shapes.str(src.shape)
                    + " does not match " + size + " " + Shapes.str(shape));
        }
        System.arraycopy(src.live(), src.offset, live(), offset, size);
        return this;
    }

    public Tensor fill(float v) {
        Arrays.fill(live(), offset, offset + size, v);
        return this;
    }

    /**
     * A view with another shape over the same storage. MXNet's codes apply: {@code 0} copies the
     * input's extent at that axis, {@code -1} is inferred from the rest. Not recorded by autograd;
     * use the differentiable {@code NdOps.reshape} inside a recorded computation.
     */
    public Tensor view(int... newShape) {
        return new Tensor(data, offset, storage, Shapes.resolveReshape(shape, newShape));
    }

    /** The shape as text, e.g. {@code (128, 1, 28, 28)}. */
    public String shapeString() {
        return Shapes.str(shape);
    }

    // ---- autograd ------------------------------------------------------------------------

    /** Makes this tensor a leaf whose gradient {@link #backward()} writes ({@code grad_req='write'}). */
    public Tensor attachGrad() {
        return attachGrad(GradReq.WRITE);
    }

    /** Makes this tensor a leaf with the given gradient request ({@code write}, {@code add}, {@code null}). */
    public Tensor attachGrad(GradReq req) {
        this.node = null; // as in MXNet, attaching a gradient makes even an op output a fresh leaf
        this.gradReq = req;
        this.requiresGrad = req != GradReq.NULL;
        clearGrad();
        this.grad = req == GradReq.NULL ? null : zeros(shape);
        return this;
    }

    public GradReq gradReq() {
        return gradReq;
    }

    /** True when gradients flow to this tensor: an attached leaf or the output of a recorded op. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The gradient buffer, or {@code null} when none exists. */
    public Tensor grad() {
        return grad;
    }

    /**
     * The gradient buffer for accumulation, created zero-filled on first use. Backward kernels add
     * into it ({@code +=}); they only call it for inputs that {@link #requiresGrad()}. A backward
     * that can write its input's gradient instead should use {@link #gradTarget()}.
     */
    public Tensor gradBuffer() {
        if (grad == null) {
            // an op output's gradient lives only during backward: a pooled (warm) buffer, given back by clearGrad
            gradPooled = node != null && BufferPool.pools(size);
            grad = gradPooled ? new Tensor(BufferPool.takeZeroedFloats(size), 0, shape) : zeros(shape);
        } else if (gradStale) {
            grad.fill(0f);
            gradStale = false;
        }
        return grad;
    }

    /**
     * Where a backward stores this input's gradient, and whether it must add (see
     * {@link GradTarget}): the first store into an op output's gradient, or into a
     * {@code grad_req='write'} leaf's during a backward, overwrites — no zeroing pass, no read of
     * the old values; every later one adds. Call it once per input per backward and store into
     * every element when {@code accumulate} is false. With {@code -Djgluon.grad.overwrite=false}
     * (or {@link Autograd#setOverwriteGradients}) it always adds into {@link #gradBuffer()}.
     */
    public GradTarget gradTarget() {
        if (!Autograd.overwriteGradients()) return new GradTarget(gradBuffer(), true);
        if (grad == null && node != null) {
            // an op output's first gradient: a pooled buffer as gradBuffer's, but not zeroed
            gradPooled = BufferPool.pools(size);
            grad = gradPooled ? new Tensor(BufferPool.takeFloats(size), 0, shape) : zeros(shape);
            return new GradTarget(grad, false);
        }
        if (grad != null && gradStale) {
            gradStale = false;
            return new GradTarget(grad, false);
        }
        return new GradTarget(gradBuffer(), true);
    }

    /**
     * Autograd internals: a {@code 'write'} leaf reached by a backward; its old gradient stays
     * until the first op stores the new one over it ({@link #gradTarget()}) or asks to add
     * ({@link #gradBuffer()} zeroes it then); {@link #settleGrad()} zeroes it if nobody stored.
     */
    public void markGradStale() {
        if (grad != null) gradStale = true;
    }

    /** Autograd internals: after a backward, a {@code 'write'} leaf that received no gradient is zero. */
    public void settleGrad() {
        if (gradStale) {
            grad.fill(0f);
            gradStale = false;
        }
    }

    /** Autograd internals: marks an op output as part of the graph, or drops a temporary gradient. */
    public void markRequiresGrad() {
        this.requiresGrad = true;
    }

    public void clearGrad() {
        if (gradPooled) BufferPool.give(grad.data);
        this.gradPooled = false;
        this.gradStale = false;
        this.grad = null;
    }

    /** Autograd internals: an op output whose graph backward has freed becomes a constant. */
    public void clearRequiresGrad() {
        this.requiresGrad = false;
    }

    /** Autograd internals: the recorded op that produced this tensor; null for a leaf or an unrecorded result. */
    public Autograd.Node node() {
        return node;
    }

    public void setNode(Autograd.Node node) {
        this.node = node;
    }

    /** Back-propagates from this tensor (head gradient 1 everywhere) through the recorded graph. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Back-propagates with an explicit head gradient of this tensor's shape. */
    public void backward(Tensor headGrad) {
        Autograd.backward(this, headGrad);
    }

    /**
     * {@code backward(out_grad, retain_graph)}: with {@code retainGraph} the recorded computation
     * and every activation it holds stay, so backward may run through it again.
     */
    public void backward(Tensor headGrad, boolean retainGraph) {
        Autograd.backward(this, headGrad, retainGraph);
    }

    /** A tensor over the same storage cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data, offset, storage, shape);
    }

    // ---- printing ------------------------------------------------------------------------

    /** The value of a one-element tensor. */
    public float asScalar() {
        if (size != 1) {
            throw new IllegalArgumentException("asscalar: the tensor has shape " + Shapes.str(shape)
                    + " (" + size + " elements); only a one-element tensor converts to a number");
        }
        return live()[offset];
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
