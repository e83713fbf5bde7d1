package org.jgluon.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jgluon.bench.step.AlexNets;

/**
 * The options of {@code ./jgluon bench compare}; {@link #parse} rejects bad values with a message
 * that names the option and what it accepts.
 */
public record CompareOptions(List<AlexNets> nets, int[] resolutions, int[] inferResolutions, int threads, int batch,
                             int rounds, double seconds, int warmup, int minSteps, String channelsLast,
                             List<String> peers, boolean sgemm, String python) {

    public static final String USAGE = """
            usage: ./jgluon bench compare [options]
              The seed's AlexNet / AlexNet-BN training step (batch 128, random data) in jgluon and in the
              peers, back to back, alternating, several rounds; images/s and the ratio jgluon/peer.
              --nets alexnet,alexnet_bn    networks (default both)
              --res 224,96                 training resolutions (default 224,96)
              --infer-res 224|none         predict-mode forward at these resolutions (default 224)
              --threads 2                  threads on every side (default 2)
              --batch 128                  batch size (default 128)
              --rounds 2                   alternating rounds (default 2)
              --seconds 2                  timed seconds per measurement, at least --min-steps steps (default 2)
              --warmup 1                   untimed steps per measurement (default 1)
              --min-steps 2                timed steps at least (default 2)
              --channels-last auto|on|off  PyTorch's channels_last: auto = both, report the better (default auto)
              --peers pytorch,mxnet|none   peers (default: pytorch, and mxnet when bench-mxnet is built)
              --mxnet                      add the MXNet peer (same as --peers pytorch,mxnet)
              --no-sgemm                   skip the SGEMM side by side with OpenBLAS
              --python /usr/bin/python3    the Python that has torch""";

    public static CompareOptions defaults() {
        return new CompareOptions(List.of(AlexNets.ALEXNET, AlexNets.ALEXNET_BN), new int[] {224, 96}, new int[] {224}, 2, 128,
                2, 2.0, 1, 2, "auto", null, true, "/usr/bin/python3");
    }

    /** {@code peers} is null when not given: the caller picks the installed ones. */
    public static CompareOptions parse(String... args) {
        CompareOptions d = defaults();
        List<AlexNets> nets = d.nets;
        int[] res = d.resolutions, inferRes = d.inferResolutions;
        int threads = d.threads, batch = d.batch, rounds = d.rounds, warmup = d.warmup, minSteps = d.minSteps;
        double seconds = d.seconds;
        String channelsLast = d.channelsLast, python = d.python;
        List<String> peers = null;
        boolean sgemm = true, mxnet = false;
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            switch (opt) {
                case "--no-sgemm" -> sgemm = false;
                case "--mxnet" -> mxnet = true;
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> {
                    if (i + 1 >= args.length) throw bad(opt, "needs a value", null);
                    String v = args[++i];
                    switch (opt) {
                        case "--nets" -> nets = nets(v);
                        case "--res" -> res = resolutions(opt, v, false);
                        case "--infer-res" -> inferRes = resolutions(opt, v, true);
                        case "--threads" -> threads = positive(opt, v, 1024);
                        case "--batch" -> batch = positive(opt, v, 4096);
                        case "--rounds" -> rounds = positive(opt, v, 1000);
                        case "--warmup" -> warmup = nonNegative(opt, v);
                        case "--min-steps" -> minSteps = positive(opt, v, 100000);
                        case "--seconds" -> seconds = seconds(opt, v);
                        case "--channels-last" -> channelsLast = oneOf(opt, v, "auto", "on", "off");
                        case "--peers" -> peers = peers(v);
                        case "--python" -> python = v;
                        default -> throw new IllegalArgumentException("bench compare: unknown option '" + opt + "'\n" + USAGE);
                    }
                }
            }
        }
        if (mxnet) {
            List<String> p = new ArrayList<>(peers == null ? List.of("pytorch") : peers);
            if (!p.contains("mxnet")) p.add("mxnet");
            peers = List.copyOf(p);
        }
        return new CompareOptions(nets, res, inferRes, threads, batch, rounds, seconds, warmup, minSteps, channelsLast, peers,
                sgemm, python);
    }

    private static IllegalArgumentException bad(String opt, String what, String value) {
        return new IllegalArgumentException("bench compare: " + opt + " " + what + (value == null ? "" : ", got '" + value + "'")
                + " (./jgluon bench compare --help)");
    }

    private static List<AlexNets> nets(String v) {
        List<AlexNets> out = new ArrayList<>();
        for (String s : v.split(",")) {
            try {
                AlexNets n = AlexNets.of(s.trim());
                if (!out.contains(n)) out.add(n);
            } catch (IllegalArgumentException e) {
                throw bad("--nets", "takes alexnet and/or alexnet_bn, comma-separated", v);
            }
        }
        return List.copyOf(out);
    }

    private static int[] resolutions(String opt, String v, boolean noneAllowed) {
        if (noneAllowed && v.equals("none")) return new int[0];
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = integer(opt, parts[i].trim(), v);
            // conv1 (11, stride 4) and three 3/2 pools leave nothing below 63 pixels
            if (out[i] < 63 || out[i] > 1024) throw bad(opt, "takes resolutions from 63 to 1024" + (noneAllowed ? " or none" : ""), v);
        }
        return out;
    }

    private static List<String> peers(String v) {
        if (v.equals("none")) return List.of();
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            String p = s.trim().toLowerCase(Locale.ROOT);
            if (!p.equals("pytorch") && !p.equals("mxnet")) throw bad("--peers", "takes pytorch and/or mxnet, or none", v);
            if (!out.contains(p)) out.add(p);
        }
        return List.copyOf(out);
    }

    private static int integer(String opt, String v, String whole) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(opt, "takes whole numbers", whole);
        }
    }

    private static int positive(String opt, String v, int max) {
        int n = integer(opt, v, v);
        if (n < 1 || n > max) throw bad(opt, "takes a number from 1 to " + max, v);
        return n;
    }

    private static int nonNegative(String opt, String v) {
        int n = integer(opt, v, v);
        if (n < 0) throw bad(opt, "takes a number >= 0", v);
        return n;
    }

    private static double seconds(String opt, String v) {
        double s;
        try {
            s = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(opt, "takes seconds, e.g. 2 or 0.5", v);
        }
        if (!(s >= 0 && s <= 3600)) throw bad(opt, "takes seconds from 0 to 3600", v);
        return s;
    }

    private static String oneOf(String opt, String v, String... allowed) {
        if (!Arrays.asList(allowed).contains(v)) throw bad(opt, "takes one of " + String.join(", ", allowed), v);
        return v;
    }
}
