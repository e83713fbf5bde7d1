package org.jgluon.gluon.nn;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.ops.ActivationOps;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.init.Initializer;

/**
 * {@code nn.Dense(units, activation=None, use_bias=True, flatten=True, weight_initializer=None,
 * bias_initializer='zeros', in_units=0)}.
 *
 * <p>Forward: with {@code flatten}, x (N, ...) is flattened to (N, in_units); without it, x
 * (..., in_units) keeps its leading axes. y = x·Wᵀ + b with W (units, in_units), then the
 * optional activation (ReLU fused into {@code NdOps.dense}). Backward is recorded by
 * {@code NdOps.dense} (and reshape/activation).
 */
public class Dense extends HybridBlock {

    private final int units;
    private final boolean flatten;
    private final String activation;
    private final Parameter weight, bias;

    public Dense(int units, Kwargs kw) {
        super("dense", prefixOf(kw.check("nn.Dense", "activation", "use_bias", "flatten", "weight_initializer",
                "bias_initializer", "in_units", "prefix")));
        this.units = Conv2D.positive("nn.Dense: units", units);
        this.flatten = kw.getBool("flatten", true);
        this.activation = Activation.checkName("nn.Dense", kw.getString("activation", null));
        this.weight = newParam("weight", new int[] {units, kw.getInt("in_units", 0)}, GradReq.WRITE,
                Initializer.create(kw.get("weight_initializer")));
        this.bias = kw.getBool("use_bias", true)
                ? newParam("bias", new int[] {units}, GradReq.WRITE, Initializer.create(kw.get("bias_initializer", "zeros")))
                : null;
    }

    public Dense(int units) {
        this(units, Kwargs.empty());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> {
            if (in.ndim() < 1 || (flatten && in.ndim() < 2)) {
                throw new IllegalArgumentException("Dense expects (N, ...) input, got " + in.ndim() + " axes");
            }
            int inUnits = flatten ? Shapes.prod(in.shape(), 1, in.ndim()) : in.dim(-1);
            Tensor x2;
            if (flatten) x2 = in.ndim() == 2 ? in : NdOps.flatten(in);
            else x2 = in.ndim() == 2 ? in : NdOps.reshape(in, -1, inUnits);
            weight.finishDeferredInit(new int[] {units, inUnits});
            if (weight.shape()[1] != inUnits) {
                throw new IllegalArgumentException("the input has " + inUnits + " features but the layer was built for "
                        + weight.shape()[1] + " (weight " + Shapes.str(weight.shape()) + ")");
            }
            if (bias != null) bias.finishDeferredInit(new int[] {units});
            // ReLU is fused into the op (one output written, its mask applied inside the backward);
            // it commutes with the reshape below.
            boolean relu = "relu".equals(activation);
            Tensor y = NdOps.dense(x2, weight.data(), bias == null ? null : bias.data(), relu);
            if (!flatten && in.ndim() != 2) {
                int[] outShape = in.shape();
                outShape[outShape.length - 1] = units;
                y = NdOps.reshape(y, outShape);
            }
            return activation == null || relu ? y : ActivationOps.activation(y, activation);
        });
    }

    /** MXNet's repr: {@code Dense(256 -> 4096, Activation(relu))} or {@code Dense(None -> 10, linear)}. */
    @Override
    public String toString() {
        int in = weight.shape()[1];
        return "Dense(" + (in > 0 ? String.valueOf(in) : "None") + " -> " + units + ", "
                + (activation != null ? "Activation(" + activation + ")" : "linear") + ")";
    }

    @Override
    public String describe() {
        return "Dense " + units + (activation != null ? ", " + activation : "");
    }
}
