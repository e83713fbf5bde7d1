package org.jgluon.engine.autograd;

import org.jgluon.engine.Tensor;

/**
 * Where a backward stores one input's gradient ({@link Tensor#gradTarget()}): the buffer, and
 * whether to add into it. {@code accumulate == false} means the buffer's contents are undefined
 * (a reused pooled array, or a stale {@code 'write'} gradient) and the op must WRITE every
 * element of it: this is the first gradient the tensor receives in this backward. Later ones
 * (the tensor feeds several ops), {@code grad_req='add'} leaves and buffers someone already
 * wrote get {@code accumulate == true}.
 *
 * <p>The point is one pass fewer per gradient: no zeroing of the buffer, and no read of it in
 * the op's store ({@code dx = v} instead of {@code dx += v}).
 */
public record GradTarget(Tensor buffer, boolean accumulate) {

    /** The buffer's array (from {@link #offset()}, {@code buffer().size()} elements). */
    public float[] data() {
        return buffer.data();
    }

    public int offset() {
        return buffer.offset();
    }

    /** GEMM's {@code beta} for a gradient computed as {@code C = alpha·op(A)·op(B) + beta·C}: 1 to add, 0 to write. */
    public float beta() {
        return accumulate ? 1f : 0f;
    }
}
