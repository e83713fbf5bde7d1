package org.jgluon.engine.autograd;

import org.jgluon.engine.Tensor;

/**
 * The backward half of a recorded op: given the gradient of the op's output, stores the
 * gradient of each input that {@code requiresGrad()}. Either add into {@code input.gradBuffer()}
 * (always correct), or — one pass cheaper — ask {@code input.gradTarget()} once and WRITE every
 * element when its {@code accumulate} is false, add when it is true (an input may feed several
 * ops; {@code grad_req='add'} leaves keep adding).
 */
@FunctionalInterface
public interface BackwardFn {
    void backward(Tensor outGrad);
}
