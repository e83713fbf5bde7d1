package org.jgluon.gluon.nn;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.gluon.Parameter;

/** Builds the table of {@link Block#summary}: leaf blocks report their outputs while it runs. */
final class Summary {

    private record Row(Block block, int[] shape, String note) {}

    private static final ThreadLocal<List<Row>> ROWS = new ThreadLocal<>();

    private Summary() {}

    /** Called by every leaf block after its forward; a no-op unless a summary is running. */
    static void record(Block block, Tensor out, String note) {
        List<Row> rows = ROWS.get();
        if (rows != null) rows.add(new Row(block, out.shape(), note));
    }

    static String run(Block net, Tensor x) {
        List<Row> rows = new ArrayList<>();
        ROWS.set(rows);
        try {
            net.forward(x);
        } finally {
            ROWS.remove();
        }
        String line = "-".repeat(88) + "\n", dline = "=".repeat(88) + "\n";
        StringBuilder b = new StringBuilder(line);
        b.append(String.format("%-46s%26s%16s%n", "Layer (type)", "Output Shape", "Param #")).append(dline);
        b.append(String.format("%-46s%26s%16d%n", "Input", x.shapeString(), 0));
        IdentityHashMap<Parameter, Integer> seen = new IdentityHashMap<>();
        long total = 0, trainable = 0, shared = 0;
        for (Row r : rows) {
            long count = 0;
            for (Parameter p : r.block.ownParams().values()) {
                long n = p.size();
                count += n;
                total += n;
                if (p.gradReq() != GradReq.NULL) trainable += n;
                if (seen.put(p, 1) != null) shared += n;
            }
            String label = r.block.name() + " (" + r.block.getClass().getSimpleName() + ")";
            if (r.note != null) label += " " + r.note;
            b.append(String.format("%-46s%26s%16d%n", label, org.jgluon.engine.Shapes.str(r.shape), count));
        }
        long unique = 0;
        for (Parameter p : net.collectParams()) unique += p.size();
        b.append(dline);
        b.append("Parameters in forward computation graph, duplicate included\n");
        b.append("   Total params: ").append(total).append('\n');
        b.append("   Trainable params: ").append(trainable).append('\n');
        b.append("   Non-trainable params: ").append(total - trainable).append('\n');
        b.append("Shared params in forward computation graph: ").append(shared).append('\n');
        b.append("Unique parameters in model: ").append(unique).append('\n');
        b.append(line);
        return b.toString();
    }
}
