package org.jgluon.bench.step;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jgluon.engine.Parallel;
import org.jgluon.gluon.Parameter;

/**
 * Is a training step the same bits whatever the JIT has compiled? Builds the same network from
 * the same seed several times in one JVM and compares every parameter's gradient after the first
 * step with the first (cold, mostly interpreted) run. A kernel whose result depends on the tier
 * (a {@code reduceLanes(ADD)}, whose lane order differs between the interpreter and C2) shows up
 * as the parameters that differ; the loss is printed too.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Xmx6g -cp bench/target/benchmarks.jar \
 *       org.jgluon.bench.step.StepDeterminism [alexnet_bn] [res 67] [runs 4] [threads 1]
 * </pre>
 */
public final class StepDeterminism {

    private StepDeterminism() {}

    public static void main(String[] args) {
        AlexNets kind = AlexNets.of(args.length > 0 ? args[0] : "alexnet_bn");
        int res = args.length > 1 ? Integer.parseInt(args[1]) : 67;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Parallel.setThreads(args.length > 3 ? Integer.parseInt(args[3]) : 1);
        List<List<float[]>> grads = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            TrainingStep step = new TrainingStep(kind, res, 128, 42);
            float loss = step.lossAndGradients();
            List<float[]> g = new ArrayList<>();
            for (Parameter p : step.parameters()) {
                if (p.grad() == null) continue;
                g.add(p.grad().toArray());
                if (r == 0) names.add(p.name());
            }
            grads.add(g);
            System.out.printf(Locale.ROOT, "run %d: loss %s (bits %08x)%n", r, loss, Float.floatToRawIntBits(loss));
        }
        int differing = 0;
        for (int r = 1; r < runs; r++) {
            for (int q = 0; q < names.size(); q++) {
                float[] a = grads.get(0).get(q), b = grads.get(r).get(q);
                int diff = 0;
                for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) diff++;
                if (diff > 0) {
                    differing++;
                    System.out.printf(Locale.ROOT, "run %d vs run 0: gradient of %s differs in %d of %d values%n",
                            r, names.get(q), diff, a.length);
                }
            }
        }
        System.out.println(differing == 0 ? "all gradients bit-identical across runs" : differing + " gradient(s) differ");
    }
}
