package org.jgluon.engine.ops;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.ActivationKernels;
import org.jgluon.engine.kernels.ActivationKernels.Kind;

/** Element-wise activations as recorded ops, with MXNet's names and definitions. */
public final class ActivationOps {

    private ActivationOps() {}

    public static Tensor relu(Tensor x) {
        return apply(Kind.RELU, 0f, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return apply(Kind.SIGMOID, 0f, x);
    }

    public static Tensor tanh(Tensor x) {
        return apply(Kind.TANH, 0f, x);
    }

    /** log(1 + eˣ), computed without overflow. */
    public static Tensor softrelu(Tensor x) {
        return apply(Kind.SOFTRELU, 0f, x);
    }

    /** x / (1 + |x|). */
    public static Tensor softsign(Tensor x) {
        return apply(Kind.SOFTSIGN, 0f, x);
    }

    /** x·Φ(x) with the exact (erf) Gaussian CDF, as MXNet's GELU. */
    public static Tensor gelu(Tensor x) {
        return apply(Kind.GELU, 0f, x);
    }

    /** x for x > 0, alpha·x otherwise. */
    public static Tensor leakyRelu(Tensor x, float alpha) {
        return apply(Kind.LEAKY_RELU, alpha, x);
    }

    /** x for x > 0, alpha·(eˣ − 1) otherwise. */
    public static Tensor elu(Tensor x, float alpha) {
        return apply(Kind.ELU, alpha, x);
    }

    /** x·sigmoid(beta·x). */
    public static Tensor swish(Tensor x, float beta) {
        return apply(Kind.SWISH, beta, x);
    }

    /** MXNet's {@code Activation(act_type)}: relu, sigmoid, tanh, softrelu or softsign. */
    public static Tensor activation(Tensor x, String name) {
        return switch (name == null ? "" : name) {
            case "relu" -> relu(x);
            case "sigmoid" -> sigmoid(x);
            case "tanh" -> tanh(x);
            case "softrelu" -> softrelu(x);
            case "softsign" -> softsign(x);
            default -> throw new IllegalArgumentException("activation: unknown act_type '" + name + "' for input "
                    + x.shapeString() + "; use one of 'relu', 'sigmoid', 'tanh', 'softrelu', 'softsign'"
                    + " (LeakyReLU, ELU, GELU and Swish are blocks of their own)");
        };
    }

    private static Tensor apply(Kind kind, float alpha, Tensor x) {
        Tensor y = Tensor.pooled(x.shape()); // the kernel writes every element
        int n = x.size();
        ActivationKernels.forward(kind, alpha, x.data(), x.offset(), y.data(), 0, n);
        // y = f(x), element-wise, any shape. Backward needs x and y (relu, sigmoid, tanh read y;
        // the others x): dx (+)= dy·f'(x) (written when dx is x's first gradient).
        return Autograd.recordOp(kind.mxName, y, dy -> {
            GradTarget dx = x.gradTarget();
            ActivationKernels.backward(kind, alpha, x.data(), x.offset(), y.data(), 0, dy.data(), dy.offset(),
                    dx.data(), dx.offset(), n, dx.accumulate());
        }, x);
    }
}
