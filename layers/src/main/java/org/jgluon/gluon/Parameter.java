package org.jgluon.gluon;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.gluon.init.Initializer;

/**
 * Gluon's {@code Parameter}: a named tensor a block learns (or, with {@code grad_req='null'},
 * keeps, like BatchNorm's running statistics).
 *
 * <p>The shape may contain 0s ("unknown") until the block's first forward infers them (deferred
 * initialization: {@code Conv2D(64)} learns its input channels from the first batch).
 * {@link #initialize} then only remembers the initializer, and the block calls
 * {@link #finishDeferredInit} once the shape is known.
 */
public final class Parameter {

    private final String name;
    private int[] shape;
    private final GradReq gradReq;
    private final Initializer init;
    private float lrMult = 1f;
    private float wdMult = 1f;

    private Tensor data;
    /** The default initializer given to {@code initialize()} while the shape is still unknown. */
    private Initializer deferredDefault;

    public Parameter(String name, int[] shape, GradReq gradReq, Initializer init) {
        this.name = name;
        this.shape = shape.clone();
        this.gradReq = gradReq;
        this.init = init;
    }

    public String name() {
        return name;
    }

    /** The shape, with 0 where still unknown. */
    public int[] shape() {
        return shape.clone();
    }

    public GradReq gradReq() {
        return gradReq;
    }

    /** The parameter's own initializer (null: the block's default applies). */
    public Initializer initializer() {
        return init;
    }

    public float lrMult() {
        return lrMult;
    }

    public void setLrMult(float m) {
        lrMult = m;
    }

    public float wdMult() {
        return wdMult;
    }

    public void setWdMult(float m) {
        wdMult = m;
    }

    public boolean isShapeKnown() {
        for (int d : shape) if (d <= 0) return false;
        return true;
    }

    public boolean isInitialized() {
        return data != null;
    }

    /** Initialised or waiting only for its shape. */
    public boolean isPendingOrInitialized() {
        return data != null || deferredDefault != null;
    }

    /** The element count; only meaningful once the shape is known. */
    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /**
     * Initialises the value: with this parameter's own initializer if it has one, else
     * {@code defaultInit} dispatched on the name (bias → 0, gamma → 1, ...). An unknown shape
     * defers this to the first forward. An initialised parameter is left alone unless
     * {@code forceReinit}. Returns false when it was skipped for that reason.
     */
    public boolean initialize(Initializer defaultInit, boolean forceReinit) {
        if (data != null && !forceReinit) return false;
        if (!isShapeKnown()) {
            deferredDefault = defaultInit;
            data = null;
            return true;
        }
        Tensor t = Tensor.zeros(shape);
        if (init != null) init.initWeight(name, t);
        else defaultInit.initParameter(name, t);
        setTensor(t);
        deferredDefault = null;
        return true;
    }

    /**
     * Completes a deferred initialization now that the block knows the full shape. Called by
     * blocks at their first forward.
     */
    public void finishDeferredInit(int[] fullShape) {
        if (data != null) return;
        inferShape(fullShape);
        if (deferredDefault == null) {
            throw new IllegalStateException("Parameter '" + name + "' has not been initialized. Call initialize() on the"
                    + " network (e.g. net.initialize(init.Xavier())) before the first forward");
        }
        initialize(deferredDefault, false);
    }

    /** Fills in unknown extents; known ones must agree. */
    public void inferShape(int[] fullShape) {
        if (fullShape.length != shape.length) {
            throw new IllegalArgumentException("Parameter '" + name + "': shape " + Shapes.str(fullShape)
                    + " does not match the declared " + Shapes.str(shape));
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 0 && shape[i] != fullShape[i]) {
                throw new IllegalArgumentException("Parameter '" + name + "' has shape " + Shapes.str(shape)
                        + " but the input needs " + Shapes.str(fullShape)
                        + " (was the network built for another input, or in_channels/in_units set wrong?)");
            }
        }
        shape = fullShape.clone();
    }

    /** The value; fails clearly before initialisation. */
    public Tensor data() {
        if (data == null) {
            if (deferredDefault != null) {
                throw new IllegalStateException("Parameter '" + name + "' " + Shapes.str(shape)
                        + " has not been initialized yet: its shape is inferred at the first forward. Run a forward"
                        + " pass (e.g. net.forward(x)) first");
            }
            throw new IllegalStateException("Parameter '" + name + "' has not been initialized. Call initialize() on the"
                    + " network (e.g. net.initialize(init.Xavier())) before using it");
        }
        return data;
    }

    /** The value or null (for code that must not throw, e.g. summaries). */
    public Tensor dataOrNull() {
        return data;
    }

    /** The gradient buffer (null for {@code grad_req='null'}). */
    public Tensor grad() {
        return data().grad();
    }

    /** Replaces the value with {@code t} (shape must match the known extents); attaches the gradient. */
    public void setData(Tensor t) {
        inferShape(t.shape());
        if (data != null) {
            data.copyFrom(t);
        } else {
            setTensor(t.copy());
            deferredDefault = null;
        }
    }

    private void setTensor(Tensor t) {
        if (gradReq != GradReq.NULL) t.attachGrad(gradReq);
        data = t;
    }

    /** Sets the gradient to zero ({@code param.zero_grad()}). */
    public void zeroGrad() {
        if (data != null && data.grad() != null) data.grad().fill(0f);
    }

    @Override
    public String toString() {
        return "Parameter " + name + " (shape=" + Shapes.str(shape) + ", dtype=float32)";
    }
}
