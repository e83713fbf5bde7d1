package org.jgluon.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgluon.bench.sgemm.OpenBlas;
import org.jgluon.bench.sgemm.SgemmSideBySide;

/**
 * {@code ./jgluon bench SUBCOMMAND [args]}: the entry point of the benchmarks jar. Each sub-command
 * is one case of the switch below; add yours there and to {@link #USAGE}.
 */
public final class BenchMain {

    static final String USAGE = """
            usage: ./jgluon bench SUBCOMMAND [args]
              jmh [JMH args]   JMH kernel benchmarks, e.g. `bench jmh SgemmBench -p shape=1024 -p threads=1`
                               (`bench jmh -l` lists them, `bench jmh -h` shows JMH's options)
              sgemm [options]  jgluon's SGEMM side by side with the system OpenBLAS, 1 and 2 threads
                               (--size N | --shape NAME, --threads 1,2, --rounds R, --seconds S)
              compare [options] AlexNet / AlexNet-BN training step and inference in jgluon, PyTorch (and
                               MXNet via DJL when bench-mxnet is built), alternating; ratios (--help)
              scaling [options] the training step at 1, 2, ... N threads with the speed-up (--help)
              breakdown [opts] per-layer forward/backward time of the training step, GFLOPS vs peak (--help)
              regions [opts]   where the threads of a training step wait, per parallel loop (--help)""";

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "jmh" -> org.openjdk.jmh.Main.main(jmhArgs(rest));
            case "sgemm" -> SgemmSideBySide.main(rest);
            case "compare" -> org.jgluon.bench.compare.Compare.main(rest);
            case "scaling" -> org.jgluon.bench.compare.Scaling.main(rest);
            case "breakdown" -> org.jgluon.bench.compare.Breakdown.main(rest);
            case "regions" -> org.jgluon.bench.compare.Regions.main(rest);
            default -> {
                System.err.println("bench: unknown sub-command '" + args[0] + "'\n" + USAGE);
                System.exit(2);
            }
        }
    }

    /** Leaves the OpenBLAS benchmark out, saying why, when the library is not installed. */
    private static String[] jmhArgs(String[] args) {
        List<String> out = new ArrayList<>(Arrays.asList(args));
        boolean listing = out.stream().anyMatch(a -> a.equals("-l") || a.equals("-lp") || a.equals("-h"));
        if (!listing && OpenBlas.absentReason() != null) {
            System.out.println("bench jmh: skipping OpenBlasSgemmBench: " + OpenBlas.absentReason());
            out.add("-e");
            out.add("OpenBlasSgemmBench");
        }
        return out.toArray(String[]::new);
    }
}
