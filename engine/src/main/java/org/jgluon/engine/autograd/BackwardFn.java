package org.jgluon.engine.autograd;

import org.jgluon.engine.Tensor;

/**
 * The backward half of a recorded op: given the gradient of the op's output, adds the
 * gradients of its inputs into {@code input.gradBuffer()} for each input that
 * {@code requiresGrad()}. Accumulate, never overwrite: an input may feed several ops.
 */
@FunctionalInterface
public interface BackwardFn {
    void backward(Tensor outGrad);
}
